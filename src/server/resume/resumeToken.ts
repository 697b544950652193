import { randomBytes } from 'node:crypto';

/** Bytes of randomness in a resume token: 192 bits, well above the 128 an attacker could never guess. */
const TOKEN_BYTES = 24;

/**
 * A new unguessable resume token (32 base64url characters from the OS's CSPRNG). The relay keeps it bound to
 * one member of one room, accepts it once, and forgets it when the member's grace period ends.
 *
 * @internal
 */
export function newResumeToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}
