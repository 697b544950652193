import { HangupError } from '../errors/HangupError.js';
import type { Logger } from '../logger.js';
import type { SignalDescription, SignalMessage } from '../signaling/types.js';
import { RateGate } from '../util/RateGate.js';
import { DtlsRoleKeeper } from './dtlsRole.js';
import { type IceCandidateQueue, readRemoteIce } from './IceCandidateQueue.js';

/** What {@link PerfectNegotiation} needs from its host (the peer link). */
export interface PerfectNegotiationHost {
  readonly pc: RTCPeerConnection;
  readonly polite: boolean;
  readonly candidates: IceCandidateQueue;
  readonly logger: Logger;
  /** The session's clock, in ms. */
  now(): number;
  /** Sends a message to the peer over signaling. */
  send(message: SignalMessage): void;
  /** A remote description was applied (not one dropped as a duplicate, stale or colliding). */
  applied(description: SignalDescription): void;
  /** Reports a non-fatal problem (an `error` event). */
  report(error: HangupError): void;
}

/**
 * Bounds the description work waiting in line, so a peer flooding offers while one is stuck (a
 * `setRemoteDescription` that never settles) cannot grow memory without end.
 */
const MAX_PENDING_STEPS = 32;

/** The signaling states in which our offer still waits for a (final) answer. */
const AWAITING_ANSWER: ReadonlySet<RTCSignalingState> = new Set(['have-local-offer', 'have-remote-pranswer']);

/** How many applied remote descriptions are remembered to recognise duplicates. */
const REMEMBERED_DESCRIPTIONS = 8;

/**
 * The W3C "perfect negotiation" pattern for one peer connection: either side may offer first, and
 * simultaneous offers converge because the polite side rolls back and the impolite side ignores.
 *
 * Every description step runs on one serial chain, so an offer we are making and an offer we receive never
 * interleave; the signaling state at the head of the chain is then enough to detect a collision. After every
 * `await` the step checks the negotiation is still alive: runtimes differ on what pending operations do at
 * `close()` (@roamhq/wrtc resolves them, Chromium leaves them pending), and none may act on a dead call.
 *
 * It is built together with its connection but held: nothing on the chain runs before {@link
 * PerfectNegotiation.ready} (the local tracks are in), so a description that arrives while the camera starts
 * simply waits in line, and the answer carries the tracks.
 */
export class PerfectNegotiation {
  readonly #ctx: PerfectNegotiationHost;
  #chain: Promise<void>;
  #openGate: (() => void) | undefined;
  #pendingSteps = 0;
  #alive = true;
  #ignoreOffer = false;
  /** Whether a remote description has ever been applied (see {@link PerfectNegotiation.negotiationNeeded}). */
  #hasNegotiated = false;
  /** The impolite side's first offer went out unasked and its answer has not been applied yet. */
  #firstOfferPending = false;
  /** Our offer is out and its answer is being applied right now (see negotiationNeeded). */
  #applyingAnswer = false;
  /** Recently applied remote descriptions: duplicated or reordered signaling must not apply one twice. */
  readonly #appliedRemote: SignalDescription[] = [];
  /** The DTLS role fixed by the first exchange, kept when a later remote answer would flip it. */
  readonly #dtlsRole = new DtlsRoleKeeper();
  /**
   * `NEGOTIATION_FAILED` events. Most failures come from the peer's descriptions (refused, rejected by the
   * runtime, too many in line), which a peer can send as fast as signaling carries them: each must not cost
   * the app an event. One a second; the rest go to the debug log.
   */
  readonly #failures: RateGate;

  constructor(host: PerfectNegotiationHost) {
    this.#ctx = host;
    this.#failures = new RateGate(host.now, 1, 1);
    // The signaling state is always read from the connection (one source of truth): a copy kept for speed
    // was where the pranswer bug lived.
    this.#chain = new Promise<void>((resolve) => {
      this.#openGate = resolve;
    });
  }

  /** The local tracks and channels are in: work waiting in line (descriptions, candidates) may run. */
  ready(): void {
    const open = this.#openGate;
    this.#openGate = undefined;
    open?.();
  }

  /** Stops all further work; steps already running stop at their next `await`. */
  dispose(): void {
    this.#alive = false;
  }

  /**
   * `negotiationneeded`: make and send an offer. The first offer of a call is left to the impolite side:
   * in Chromium a polite side that rolls back its first offer while ICE gathering is under way never
   * gathers again, and the call cannot connect. Once a remote description has been applied, both sides
   * offer freely and collisions (simultaneous ICE restarts) are resolved by the polite rollback. Browsers
   * fire `negotiationneeded` again after the answer if the polite side still has something to negotiate.
   */
  negotiationNeeded(): void {
    if (this.#ctx.polite && !this.#hasNegotiated) {
      this.#ctx.logger.debug('polite side leaves the first offer to the impolite side');
      return;
    }
    // The first offer was made from the state that raised this event (see offerFirst). Browsers do not
    // even fire it then; @roamhq/wrtc does, and a second offer would cost a second round trip. One case is
    // new, though: a connection that is already 'stable' while we still wait for the answer is applying
    // that answer right now (libwebrtc re-raises a change held back during the offer from inside it), so
    // the change came after the offer and goes in line behind the answer. One state read per event.
    if (this.#firstOfferPending && !(this.#applyingAnswer && this.#ctx.pc.signalingState === 'stable')) {
      this.#ctx.logger.debug('negotiationneeded already covered by the first offer');
      return;
    }
    this.#enqueue('offer', () => this.#makeOffer(false));
  }

  /**
   * The impolite side makes the call's first offer as soon as its tracks and channels are in place, without
   * waiting for `negotiationneeded` (a task later: about 0.6 ms on @roamhq/wrtc, 5 % of a loopback
   * connect). The polite side does nothing: it answers. Until that offer's answer is applied, later
   * `negotiationneeded` events are taken as covered by it; browsers re-check once the connection is stable
   * again and fire anew if something is still left to negotiate.
   */
  offerFirst(): void {
    if (this.#ctx.polite || this.#hasNegotiated) return;
    this.#firstOfferPending = true;
    this.#enqueue('offer', async () => {
      // A peer that offered first after all (a misbehaving or older one) was answered meanwhile: that
      // exchange was the first, and this offer would only be a redundant round.
      if (this.#hasNegotiated) {
        this.#firstOfferPending = false;
        return;
      }
      try {
        await this.#makeOffer(false);
      } catch (error) {
        // No offer went out, so nothing covers later events any more.
        this.#firstOfferPending = false;
        throw error;
      }
    });
  }

  /**
   * Starts an ICE restart: a new offer with fresh ICE credentials. From 'stable' it goes through
   * `restartIce()` and `negotiationneeded`; from any other state (the previous restart's offer or answer was
   * lost, so the connection still waits in 'have-local-offer') `negotiationneeded` would never fire, so the
   * restart offer is made directly.
   */
  restartIce(): void {
    const { pc } = this.#ctx;
    const idle = this.#pendingSteps === 0;
    if (idle && !this.#openGate && pc.signalingState === 'stable' && typeof pc.restartIce === 'function') {
      pc.restartIce();
      return;
    }
    this.#enqueue('ice-restart offer', () => this.#makeOffer(true));
  }

  /** A description from the peer. */
  receiveDescription(description: SignalDescription): void {
    if (this.#pendingSteps >= MAX_PENDING_STEPS) {
      this.#failed('receive description', new Error('too many descriptions in line'));
      return;
    }
    this.#enqueue(`apply remote ${description.type}`, () => this.#applyRemote(description));
  }

  /** A candidate from the peer (`null` marks the end of its candidates). */
  receiveCandidate(candidate: RTCIceCandidateInit | null): void {
    // End-of-candidates is optional and not every runtime accepts it; ICE completes without it.
    if (candidate === null) return;
    const { candidates, report, logger } = this.#ctx;
    // Before the remote description (and so before the gate opens) a candidate can only wait in the queue.
    const verdict = candidates.accept(candidate);
    if (verdict === 'add') this.#addCandidate(candidate);
    else if (verdict === 'overflow') report(HangupError.candidateQueueFull(candidates.cap));
    // Once per ICE generation: a flood must not turn into a flood of events.
    else if (verdict === 'limit-reached') report(HangupError.candidateLimit(candidates.perGeneration));
    else logger.debug(`remote candidate ${verdict}`, candidate);
  }

  #enqueue(step: string, work: () => Promise<void>): void {
    this.#pendingSteps++;
    this.#chain = this.#chain.then(async () => {
      try {
        if (this.#alive) await work();
      } catch (error) {
        if (this.#alive) this.#failed(step, error);
      } finally {
        this.#pendingSteps--;
      }
    });
  }

  async #makeOffer(iceRestart: boolean): Promise<void> {
    const { pc } = this.#ctx;
    // @roamhq/wrtc has no argument-less setLocalDescription(), so the offer is created explicitly.
    const offer = await pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
    if (!this.#alive) return;
    await pc.setLocalDescription(offer);
    if (!this.#alive) return;
    // Send what we set rather than reading pc.localDescription back: reading it can crash @roamhq/wrtc.
    this.#ctx.send({ type: 'description', description: { type: 'offer', sdp: offer.sdp ?? '' } });
  }

  async #applyRemote(description: SignalDescription): Promise<void> {
    const { pc, polite, logger } = this.#ctx;
    if (this.#appliedRemote.some((applied) => isSameDescription(description, applied))) {
      logger.debug(`duplicate remote ${description.type} dropped`);
      return;
    }
    // Read once: the refusal and the candidate bookkeeping after the description is applied both need it.
    const ice = readRemoteIce(description.sdp);
    const refusal = this.#ctx.candidates.refusal(ice);
    if (refusal !== undefined) throw new Error(`${refusal}; description refused`);
    // At the head of the chain only this class has changed the signaling state, so one read is current.
    const signalingState = pc.signalingState;
    const isAnswer = description.type === 'answer' || description.type === 'pranswer';
    if (isAnswer && !AWAITING_ANSWER.has(signalingState)) {
      // An answer to an offer we rolled back, or a late duplicate: nothing is waiting for it. (A
      // provisional answer leaves the offer waiting for its final one.)
      logger.debug(`stale remote ${description.type} dropped in signaling state ${signalingState}`);
      return;
    }
    const collision = description.type === 'offer' && signalingState !== 'stable';
    this.#ignoreOffer = !polite && collision;
    if (this.#ignoreOffer) {
      logger.debug('offer collision: impolite side ignores the remote offer');
      return;
    }
    if (collision) {
      logger.debug('offer collision: polite side rolls back its own offer');
      await pc.setLocalDescription({ type: 'rollback' });
      if (!this.#alive) return;
    }
    // A later answer that would flip the established DTLS role (Firefox) is applied with the role kept.
    const guarded = isAnswer ? this.#dtlsRole.guard(description.sdp ?? '') : undefined;
    if (guarded?.rewritten)
      logger.debug('remote answer would flip the DTLS role: applied with the role kept');
    this.#applyingAnswer = description.type === 'answer';
    try {
      await pc.setRemoteDescription(
        (guarded ? { type: description.type, sdp: guarded.sdp } : description) as RTCSessionDescriptionInit,
      );
    } finally {
      this.#applyingAnswer = false;
    }
    if (!this.#alive) return;
    if (guarded) this.#dtlsRole.applied(guarded.sdp, 'remote');
    this.#hasNegotiated = true;
    this.#firstOfferPending = false;
    this.#appliedRemote.push(description);
    if (this.#appliedRemote.length > REMEMBERED_DESCRIPTIONS) this.#appliedRemote.shift();
    const flush = this.#ctx.candidates.onRemoteDescription(ice);
    if (flush.limitReached) this.#ctx.report(HangupError.candidateLimit(this.#ctx.candidates.perGeneration));
    for (const candidate of flush.ready) this.#addCandidate(candidate);
    this.#ctx.applied(description);
    if (!this.#alive || description.type !== 'offer') return;
    const answer = await pc.createAnswer();
    if (!this.#alive) return;
    await pc.setLocalDescription(answer);
    if (!this.#alive) return;
    this.#dtlsRole.applied(answer.sdp ?? '', 'local');
    this.#ctx.send({ type: 'description', description: { type: 'answer', sdp: answer.sdp ?? '' } });
  }

  /** A step failed: a `NEGOTIATION_FAILED` error event, at most one a second (see #failures). */
  #failed(step: string, error: unknown): void {
    if (this.#failures.take() === 'pass') this.#ctx.report(HangupError.negotiationFailed(step, error));
    else this.#ctx.logger.debug(`${step} failed (report suppressed)`, error);
  }

  #addCandidate(candidate: RTCIceCandidateInit): void {
    // Not awaited: the peer connection runs its own operations in call order, and a queue flush must not
    // let a newer candidate overtake older ones.
    this.#ctx.pc.addIceCandidate(candidate).catch((error: unknown) => {
      if (!this.#alive) return;
      // Expected failures: candidates of an offer we ignored, and candidates of a generation that an ICE
      // restart retired while they were on their way to the connection (the contract drops those as stale).
      if (this.#ignoreOffer) this.#ctx.logger.debug('candidate of an ignored offer failed', error);
      else if (this.#ctx.candidates.isStale(candidate))
        this.#ctx.logger.debug('stale candidate failed', error);
      else this.#ctx.report(HangupError.candidateFailed(error));
    });
  }
}

function isSameDescription(a: SignalDescription, b: SignalDescription): boolean {
  return a.type === b.type && a.sdp === b.sdp;
}
