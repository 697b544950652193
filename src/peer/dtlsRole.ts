/**
 * Keeping the DTLS role of an established transport across renegotiations.
 *
 * The role is fixed by the first offer/answer exchange (RFC 8842): the answerer picks `a=setup:active` (it
 * becomes the DTLS client) or `passive`. On a later exchange in the other direction (an ICE restart offered by
 * the side that answered first), the new answerer must keep that role, but Firefox answers `a=setup:active`
 * again, claiming the client role both sides already gave to the other. Chromium and @roamhq/wrtc reject such
 * an answer ("Failed to set SSL role for the transport") and the restart fails. Firefox keeps its established
 * transport (and role) on an ICE restart whatever its answer says, so the answer's `setup` is rewritten to the
 * role that keeps the transport before it is applied.
 */

/** Our side's DTLS role on an established transport. */
export type DtlsRole = 'client' | 'server';

const SETUP_LINE = /^a=setup:(active|passive|actpass|holdconn)\r?$/gm;

/** The `a=setup` values of `sdp`, one per media section that has one. */
export function setupValues(sdp: string): string[] {
  return [...sdp.matchAll(SETUP_LINE)].map((match) => match[1] as string);
}

/**
 * Our DTLS role once an answer is applied: from our own answer (`active` makes us the client) or from the
 * remote one (its `active` makes us the server). `undefined` when the answer names no definite role.
 */
export function roleFromAnswer(answerSdp: string, answeredBy: 'local' | 'remote'): DtlsRole | undefined {
  const [setup] = setupValues(answerSdp);
  if (setup !== 'active' && setup !== 'passive') return undefined;
  const answererIsClient = setup === 'active';
  return (answeredBy === 'local') === answererIsClient ? 'client' : 'server';
}

/**
 * Rewrites the `a=setup` lines of a remote answer so that applying it keeps `ourRole`: when we are the DTLS
 * client the answerer must be `passive`, when we are the server it must be `active`. An answer that already
 * agrees is returned unchanged (same string).
 */
export function keepDtlsRole(answerSdp: string, ourRole: DtlsRole): { sdp: string; rewritten: boolean } {
  const expected = ourRole === 'client' ? 'passive' : 'active';
  const flipped = ourRole === 'client' ? 'active' : 'passive';
  if (!setupValues(answerSdp).includes(flipped)) return { sdp: answerSdp, rewritten: false };
  const sdp = answerSdp.replace(SETUP_LINE, (line, value: string) =>
    value === flipped ? line.replace(`a=setup:${flipped}`, `a=setup:${expected}`) : line,
  );
  return { sdp, rewritten: true };
}

/**
 * The DTLS role of one peer connection, learnt from its first completed exchange, and the guard applied to
 * every later remote answer.
 */
export class DtlsRoleKeeper {
  #role: DtlsRole | undefined;

  /** Our established role, once an exchange completed. */
  get role(): DtlsRole | undefined {
    return this.#role;
  }

  /** Notes an answer that was applied (ours or the peer's); only the first one fixes the role. */
  applied(answerSdp: string, answeredBy: 'local' | 'remote'): void {
    this.#role ??= roleFromAnswer(answerSdp, answeredBy);
  }

  /** The remote answer to apply: unchanged before the role is known, else with the established role kept. */
  guard(answerSdp: string): { sdp: string; rewritten: boolean } {
    return this.#role ? keepDtlsRole(answerSdp, this.#role) : { sdp: answerSdp, rewritten: false };
  }
}
