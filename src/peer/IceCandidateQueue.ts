/** Candidate keys remembered for duplicate detection (each at most ~4.5 KiB: see parseSignalMessage limits). */
const MAX_REMEMBERED = 1024;
/** ICE generations remembered as retired. */
const MAX_RETIRED = 64;

/** Remote descriptions a queued candidate may wait through for its ICE generation before it is dropped. */
const ABANDON_AFTER_DESCRIPTIONS = 2;

interface QueuedCandidate {
  readonly candidate: RTCIceCandidateInit;
  /** How many remote descriptions had been applied when it was queued. */
  readonly queuedAt: number;
}

/** What {@link IceCandidateQueue.accept} decided about a remote candidate. */
export type CandidateVerdict = 'add' | 'queued' | 'duplicate' | 'stale' | 'overflow';

/**
 * Remote ICE candidates in the order they arrived, held until a remote description they belong to exists.
 *
 * ICE generations are told apart by `usernameFragment`: a candidate of a generation the remote side has
 * already replaced (an ICE restart) is stale and dropped; one of a generation not seen yet (it overtook its
 * restart offer) waits for that description. Duplicates, which lossy signaling and retries produce, are
 * dropped. The queue is capped so a hostile peer cannot grow memory without bound.
 */
export class IceCandidateQueue {
  readonly #cap: number;
  #queue: QueuedCandidate[] = [];
  /** Remote descriptions applied so far: a queued candidate's age is counted in them. */
  #descriptions = 0;
  readonly #seen = new Set<string>();
  #current = new Set<string>();
  readonly #retired = new Set<string>();
  #hasRemoteDescription = false;

  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Decides what to do with an inbound candidate; `'queued'` ones are kept for later. */
  accept(candidate: RTCIceCandidateInit): CandidateVerdict {
    if (this.isStale(candidate)) return 'stale';
    const ufrag = candidate.usernameFragment ?? undefined;
    const key = candidateKey(candidate);
    if (this.#seen.has(key)) return 'duplicate';
    if (this.#belongsToCurrent(ufrag)) {
      this.#remember(key);
      return 'add';
    }
    if (this.#queue.length >= this.#cap) return 'overflow';
    this.#remember(key);
    this.#queue.push({ candidate, queuedAt: this.#descriptions });
    return 'queued';
  }

  /**
   * Records a newly applied remote description and returns, in arrival order, the queued candidates that
   * can now be added. Candidates of generations it replaced are dropped.
   */
  onRemoteDescription(sdp: string | undefined): RTCIceCandidateInit[] {
    const ufrags = iceUfragsOf(sdp);
    if (ufrags.size > 0) {
      for (const old of this.#current) if (!ufrags.has(old)) this.#retired.add(old);
      // Renegotiation is unbounded over a long call; the oldest generations matter least.
      while (this.#retired.size > MAX_RETIRED)
        this.#retired.delete(this.#retired.values().next().value as string);
      this.#current = ufrags;
    }
    this.#hasRemoteDescription = true;
    const ready: RTCIceCandidateInit[] = [];
    const waiting: QueuedCandidate[] = [];
    this.#descriptions++;
    for (const queued of this.#queue) {
      const { candidate } = queued;
      const ufrag = candidate.usernameFragment ?? undefined;
      if (ufrag !== undefined && this.#retired.has(ufrag)) continue;
      if (this.#belongsToCurrent(ufrag)) ready.push(candidate);
      // A generation that two later descriptions did not bring (the candidates of an offer that was ignored
      // in a collision) will never come: let those go rather than hold them, and the cap, for the whole call.
      else if (this.#descriptions - queued.queuedAt < ABANDON_AFTER_DESCRIPTIONS) waiting.push(queued);
    }
    this.#queue = waiting;
    return ready;
  }

  /** Whether the candidate belongs to an ICE generation a later remote description replaced. */
  isStale(candidate: RTCIceCandidateInit): boolean {
    const ufrag = candidate.usernameFragment ?? undefined;
    return ufrag !== undefined && this.#retired.has(ufrag);
  }

  /** The most candidates held at once. */
  get cap(): number {
    return this.#cap;
  }

  /** How many candidates wait for a remote description. */
  get size(): number {
    return this.#queue.length;
  }

  /** Drops every queued candidate and all bookkeeping. */
  clear(): void {
    this.#queue = [];
    this.#descriptions = 0;
    this.#seen.clear();
    this.#retired.clear();
    this.#current = new Set();
    this.#hasRemoteDescription = false;
  }

  /**
   * Remembers a candidate for duplicate detection, forgetting the oldest beyond {@link MAX_REMEMBERED}: a peer
   * sending endless distinct candidates must not grow memory without bound (a forgotten duplicate is merely
   * added twice, which runtimes accept).
   */
  #remember(key: string): void {
    this.#seen.add(key);
    if (this.#seen.size > MAX_REMEMBERED) this.#seen.delete(this.#seen.values().next().value as string);
  }

  #belongsToCurrent(ufrag: string | undefined): boolean {
    if (!this.#hasRemoteDescription) return false;
    // Without a ufrag a candidate cannot be placed in a generation: trust it to be current.
    return ufrag === undefined || this.#current.size === 0 || this.#current.has(ufrag);
  }
}

function candidateKey(candidate: RTCIceCandidateInit): string {
  return [
    candidate.candidate ?? '',
    candidate.sdpMid ?? '',
    candidate.sdpMLineIndex ?? '',
    candidate.usernameFragment ?? '',
  ].join('\u0000');
}

/** The `a=ice-ufrag:` values of an SDP, which name its ICE generation. */
export function iceUfragsOf(sdp: string | undefined): Set<string> {
  const ufrags = new Set<string>();
  if (!sdp) return ufrags;
  for (const match of sdp.matchAll(/^a=ice-ufrag:(\S+)\s*$/gm)) {
    if (match[1]) ufrags.add(match[1]);
  }
  return ufrags;
}
