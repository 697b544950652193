/** Bits both demo pages (plain and React) share. */

/** Room and call limit from the query string: `?room=kitchen&limit=120` (seconds). */
export function roomFromLocation(location: Location): { room: string; maxDurationMs: number } {
  const query = new URLSearchParams(location.search);
  const seconds = Number(query.get('limit') ?? 120);
  return {
    room: query.get('room') || 'demo',
    maxDurationMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 120_000,
  };
}

/**
 * Asks the demo server which perfect-negotiation role this tab takes: the first tab of a room is impolite, every
 * other tab polite, so of two tabs exactly one is polite. The tab id survives reloads (sessionStorage), and asking
 * twice gives the same answer.
 */
export async function fetchRole(room: string): Promise<boolean> {
  let tab = sessionStorage.getItem('hangup-demo-tab');
  if (!tab) {
    tab = crypto.randomUUID();
    sessionStorage.setItem('hangup-demo-tab', tab);
  }
  const response = await fetch(`/role?room=${encodeURIComponent(room)}&tab=${tab}`);
  const { polite } = (await response.json()) as { polite: boolean };
  return polite;
}

/** `m:ss left`, or nothing without a limit. */
export function formatCountdown(remainingMs: number | undefined): string {
  if (remainingMs === undefined) return '';
  const total = Math.ceil(remainingMs / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')} left`;
}
