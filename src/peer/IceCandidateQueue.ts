/** Default of `CallSessionOptions.maxRemoteCandidates`: real endpoints send tens per generation. */
export const DEFAULT_MAX_REMOTE_CANDIDATES = 64;

/** ICE generations remembered as retired. */
const MAX_RETIRED = 64;

/** Remote descriptions a queued candidate may wait through for its ICE generation before it is dropped. */
const ABANDON_AFTER_DESCRIPTIONS = 2;

/**
 * Over a whole call, at most this many generations' worth of candidates reach the connection. A runtime
 * keeps the candidates of a replaced generation and pairs them with the local candidates of every later
 * one, so a peer restarting ICE could otherwise pile up connection objects: on @roamhq/wrtc, 31
 * generations of 128 candidates made `end()` take 26 s (docs/reliability.md has the figures within the
 * bounds). Two generations' worth covers a real call's restarts (a handful of candidates each once bundled);
 * once spent, a restart still connects through the peer-reflexive candidates learnt from the peer's checks.
 */
export const CALL_BUDGET_GENERATIONS = 2;

/**
 * The most ICE generations of the peer a call accepts: the first and seven restarts. Every restart makes
 * the runtime gather new local candidates and ports and pair them with the remote candidates it still
 * holds, so file descriptors and the cost of `end()` grow with each one even within the candidate budget
 * (on @roamhq/wrtc, 31 generations took `end()` to 2 s and 120 more file descriptors). A call whose path
 * broke seven times is not worth keeping alive: a description that would start a ninth generation is
 * refused, and ICE recovery then ends the call if it needed that restart.
 */
export const MAX_REMOTE_GENERATIONS = 8;

interface QueuedCandidate {
  readonly candidate: RTCIceCandidateInit;
  readonly key: string;
  readonly identity: string;
  /** How many remote descriptions had been applied when it was queued. */
  readonly queuedAt: number;
}

/**
 * What {@link IceCandidateQueue.accept} decided about a remote candidate. `'overflow'` is the first candidate
 * that found the queue full (report it), `'still-full'` the later ones until it has room again.
 * `'limit-reached'` is the first candidate of its ICE generation over the generation's or the call's limit
 * (report it), `'over-limit'` the later ones.
 */
export type CandidateVerdict =
  | 'add'
  | 'queued'
  | 'duplicate'
  | 'stale'
  | 'overflow'
  | 'still-full'
  | 'limit-reached'
  | 'over-limit';

/** What a newly applied remote description releases from the queue. */
export interface CandidateFlush {
  /** Queued candidates to add now, in arrival order. */
  readonly ready: RTCIceCandidateInit[];
  /** Whether this flush is where the generation first went over its limit (report it once). */
  readonly limitReached: boolean;
}

/**
 * Remote ICE candidates in the order they arrived, held until a remote description they belong to exists,
 * and counted per ICE generation once they go to the peer connection.
 *
 * ICE generations are told apart by `usernameFragment`: a candidate of a generation the remote side has
 * already replaced (an ICE restart) is stale and dropped; one of a generation not seen yet (it overtook its
 * restart offer) waits for that description. Duplicates, which lossy signaling and retries produce, are
 * dropped. A hostile peer cannot make it grow: the queue holds at most `cap` candidates, each generation
 * lets at most `perGeneration` through, and the whole call {@link CALL_BUDGET_GENERATIONS} times that.
 * A candidate is named by its identity ({@link candidateIdentity}) within its generation, however it
 * arrives: trickled, or listed in a remote description. It is counted once against those allowances and
 * reaches the runtime once (a candidate the description listed and the peer trickles too is a duplicate),
 * and a repeat never passes twice: identities are remembered for as long as the candidate is queued or its
 * generation is current, and the memory is bounded by the allowances themselves. A description keeping
 * the generation (a re-offer) pays for the new candidates it lists. It also bounds the peer's ICE
 * generations ({@link MAX_REMOTE_GENERATIONS}); both through {@link IceCandidateQueue.refusal}.
 */
export class IceCandidateQueue {
  readonly #cap: number;
  readonly #perGeneration: number;
  #queue: QueuedCandidate[] = [];
  /** Queued candidates by generation and identity. */
  readonly #queuedKeys = new Set<string>();
  /** Remote descriptions applied so far: a queued candidate's age is counted in them. */
  #descriptions = 0;
  /**
   * Identities ({@link candidateIdentity}) of the current generation's candidates that reached the runtime,
   * trickled or listed in a description: the one record of what was counted, so a candidate is counted,
   * and applied, once however it arrives. At most `perGeneration` trickled plus what the descriptions
   * listed within the limits (`maxSdpCandidates` for the first).
   */
  readonly #counted = new Set<string>();
  /** Candidates the current generation brought: those let through, and those its descriptions listed. */
  #generationCount = 0;
  /** Whether the current generation went over its limit (reported once). */
  #limitReached = false;
  /** Candidates let through over the whole call, every generation included. */
  #admittedInCall = 0;
  /** Whether the queue's current filling was reported full. */
  #overflowReported = false;
  /** ICE generations of the peer applied in this call. */
  #generations = 0;
  #current = new Set<string>();
  readonly #retired = new Set<string>();
  #hasRemoteDescription = false;

  /**
   * @param cap most candidates held before the description they belong to (`maxQueuedCandidates`)
   * @param perGeneration most candidates one ICE generation may bring to the connection (`maxRemoteCandidates`)
   */
  constructor(cap: number, perGeneration = DEFAULT_MAX_REMOTE_CANDIDATES) {
    this.#cap = cap;
    this.#perGeneration = perGeneration;
  }

  /** Decides what to do with an inbound candidate; `'queued'` ones are kept for later. */
  accept(candidate: RTCIceCandidateInit): CandidateVerdict {
    if (this.isStale(candidate)) return 'stale';
    const ufrag = candidate.usernameFragment ?? undefined;
    const identity = candidateIdentity(candidate.candidate, candidate.sdpMid ?? candidate.sdpMLineIndex);
    if (this.#belongsToCurrent(ufrag)) return this.#admit(identity);
    // Waiting for its generation, which may be a later one: named within it.
    const key = `${ufrag}\u0000${identity}`;
    if (this.#queuedKeys.has(key)) return 'duplicate';
    if (this.#queue.length >= this.#cap) {
      // Reported once per filling: a flood must not turn into a flood of events.
      if (this.#overflowReported) return 'still-full';
      this.#overflowReported = true;
      return 'overflow';
    }
    this.#queuedKeys.add(key);
    this.#queue.push({ candidate, key, identity, queuedAt: this.#descriptions });
    return 'queued';
  }

  /**
   * Records a newly applied remote description and returns, in arrival order, the queued candidates that
   * can now be added (within the generation's limit). Candidates of generations it replaced are dropped.
   */
  onRemoteDescription({ ufrags, listed }: RemoteIce): CandidateFlush {
    // An ICE restart starts a generation with its own limit. Only retiring credentials counts: a peer
    // cannot win a fresh allowance by adding a ufrag (an unbundled section) and keeping the old ones.
    const starts = ufrags.size > 0 && this.#startsGeneration(ufrags);
    if (starts) {
      for (const old of this.#current) if (!ufrags.has(old)) this.#retired.add(old);
      this.#generations++;
      this.#counted.clear();
      this.#generationCount = 0;
      this.#limitReached = false;
    }
    // Candidates listed in the description went to the runtime with it: they spend the same allowance as
    // trickled ones. Counted by identity, so a later description of the generation re-listing them, or the
    // peer trickling them too, is free, and one listing new ones (a re-offer keeping its ufrag) pays for
    // those: `refusal` kept it within the limits.
    for (const identity of listed) {
      if (this.#counted.has(identity)) continue;
      this.#counted.add(identity);
      this.#generationCount++;
      this.#admittedInCall++;
    }
    if (ufrags.size > 0) {
      // Renegotiation is unbounded over a long call; the oldest generations matter least.
      while (this.#retired.size > MAX_RETIRED)
        this.#retired.delete(this.#retired.values().next().value as string);
      this.#current = ufrags;
    }
    this.#hasRemoteDescription = true;
    const wasOver = this.#limitReached;
    const ready: RTCIceCandidateInit[] = [];
    const waiting: QueuedCandidate[] = [];
    this.#descriptions++;
    for (const queued of this.#queue) {
      const { candidate, key, identity } = queued;
      const ufrag = candidate.usernameFragment ?? undefined;
      if (ufrag !== undefined && this.#retired.has(ufrag)) {
        this.#queuedKeys.delete(key);
      } else if (this.#belongsToCurrent(ufrag)) {
        this.#queuedKeys.delete(key);
        // Not if the description listed it: the runtime has it already.
        if (this.#admit(identity) === 'add') ready.push(candidate);
      } else if (this.#descriptions - queued.queuedAt < ABANDON_AFTER_DESCRIPTIONS) {
        waiting.push(queued);
      } else {
        // A generation that two later descriptions did not bring (the candidates of an offer that was
        // ignored in a collision) will never come: let those go rather than hold them, and the cap, for the
        // whole call.
        this.#queuedKeys.delete(key);
      }
    }
    this.#queue = waiting;
    if (waiting.length < this.#cap) this.#overflowReported = false;
    return { ready, limitReached: this.#limitReached && !wasOver };
  }

  /**
   * Why a remote description with this SDP must not reach the runtime, or `undefined` when it may: an ICE
   * restart beyond {@link MAX_REMOTE_GENERATIONS}; a restart listing more candidates than the call has left;
   * or a description keeping the generation that lists more new candidates than the generation or the call
   * has left (the first description is never refused for its candidates: `maxSdpCandidates` bounds it).
   */
  refusal({ ufrags, listed }: RemoteIce): string | undefined {
    const starts = ufrags.size > 0 && this.#startsGeneration(ufrags);
    if (starts && this.#generations >= MAX_REMOTE_GENERATIONS) {
      return `the peer restarted ICE more than ${MAX_REMOTE_GENERATIONS - 1} times in this call`;
    }
    if (this.#generations === 0) return undefined;
    const callLeft = Math.max(0, this.perCall - this.#admittedInCall);
    if (starts) {
      if (listed.size > callLeft) {
        return `the peer's ICE restart lists ${listed.size} candidates; the call accepts ${callLeft} more`;
      }
      return undefined;
    }
    // A description keeping the generation (a re-offer without an ICE restart) pays for the candidates it
    // lists that the generation has not counted yet; otherwise re-offering would be a way round every limit.
    let fresh = 0;
    for (const identity of listed) if (!this.#counted.has(identity)) fresh++;
    const left = Math.min(callLeft, Math.max(0, this.#perGeneration - this.#generationCount));
    if (fresh > left) {
      return `the peer's description lists ${fresh} new candidates; the call accepts ${left} more`;
    }
    return undefined;
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

  /** The most candidates one ICE generation may bring to the connection. */
  get perGeneration(): number {
    return this.#perGeneration;
  }

  /** How many candidates wait for a remote description. */
  get size(): number {
    return this.#queue.length;
  }

  /** Drops every queued candidate and all bookkeeping. Bounded work: at most `cap + perGeneration` keys. */
  clear(): void {
    this.#queue = [];
    this.#queuedKeys.clear();
    this.#overflowReported = false;
    this.#descriptions = 0;
    this.#counted.clear();
    this.#generationCount = 0;
    this.#limitReached = false;
    this.#admittedInCall = 0;
    this.#generations = 0;
    this.#retired.clear();
    this.#current = new Set();
    this.#hasRemoteDescription = false;
  }

  /** The most candidates the whole call lets through: {@link CALL_BUDGET_GENERATIONS} generations' worth. */
  get perCall(): number {
    return this.#perGeneration * CALL_BUDGET_GENERATIONS;
  }

  /**
   * Lets a candidate of the current generation through, unless it was counted already (trickled or listed)
   * or the generation or the call is at its limit.
   */
  #admit(identity: string): 'add' | 'duplicate' | 'limit-reached' | 'over-limit' {
    if (this.#counted.has(identity)) return 'duplicate';
    if (this.#generationCount < this.#perGeneration && this.#admittedInCall < this.perCall) {
      this.#counted.add(identity);
      this.#generationCount++;
      this.#admittedInCall++;
      return 'add';
    }
    if (this.#limitReached) return 'over-limit';
    this.#limitReached = true;
    return 'limit-reached';
  }

  /** Whether a description with these ufrags starts a generation: the first, or one retiring credentials. */
  #startsGeneration(ufrags: Set<string>): boolean {
    if (this.#generations === 0) return true;
    for (const old of this.#current) if (!ufrags.has(old)) return true;
    return false;
  }

  #belongsToCurrent(ufrag: string | undefined): boolean {
    if (!this.#hasRemoteDescription) return false;
    // Without a ufrag a candidate cannot be placed in a generation: trust it to be current.
    return ufrag === undefined || this.#current.size === 0 || this.#current.has(ufrag);
  }
}

/** What a remote description says about ICE: read once per description ({@link readRemoteIce}). */
export interface RemoteIce {
  /** Its `a=ice-ufrag:` values, which name its ICE generation. */
  readonly ufrags: Set<string>;
  /** The identities ({@link candidateIdentity}) of the candidates it lists. */
  readonly listed: Set<string>;
}

/**
 * Reads a remote description's ICE generation and listed candidates, once: both
 * {@link IceCandidateQueue.refusal} and {@link IceCandidateQueue.onRemoteDescription} take the result
 * (`parseSignalMessage` bounds how many lines there are).
 */
export function readRemoteIce(sdp = ''): RemoteIce {
  const ice: RemoteIce = { ufrags: new Set(), listed: new Set() };
  for (const [, ufrag, candidate] of sdp.matchAll(/^a=(?:ice-ufrag:(\S+)\s*$|(candidate:[^\r\n]*))/gm)) {
    if (ufrag) ice.ufrags.add(ufrag);
    else ice.listed.add(candidateIdentity(candidate));
  }
  return ice;
}

/**
 * What names a candidate whether it is trickled or listed in an SDP: foundation, component, transport,
 * address, port and type. The attributes after them differ between the two forms (browsers add `ufrag` and
 * `network-id` to trickled ones), and the generation is known from the queue's state, so they are left out.
 * Anything shorter (an empty end-of-candidates marker, a malformed line) is named by its text and `section`.
 */
function candidateIdentity(candidate = '', section?: unknown): string {
  const fields = candidate
    .replace(/^candidate:/, '')
    .trim()
    .split(/\s+/);
  if (fields.length < 8) return `${candidate}\u0000${section}`;
  const [foundation, component, transport, , address, port, , type] = fields;
  return [foundation, component, transport?.toLowerCase(), address, port, type].join(' ');
}
