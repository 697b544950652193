/**
 * A random identifier for a session or an adapter instance: a UUID where `crypto.randomUUID` exists, else a
 * time-and-random string. Unique enough to tell instances apart; not a secret.
 */
export function randomId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
