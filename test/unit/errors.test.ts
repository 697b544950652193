import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  CallEndedError,
  HangupError,
  InvalidSignalError,
  isCallEndedError,
  isHangupError,
  isInvalidSignalError,
  isMediaAcquisitionError,
  MediaAcquisitionError,
} from '../../src/index.js';

/** An error built in another realm (as from an iframe or a worker's copy of the library). */
function foreignError(name: string, code: string): unknown {
  return runInNewContext(
    `const e = new Error('from elsewhere'); e.name = ${JSON.stringify(name)}; e.code = ${JSON.stringify(code)}; e`,
  );
}

describe('error guards', () => {
  it('recognise errors from another realm, where instanceof fails', () => {
    const ended = foreignError('CallEndedError', 'CALL_ENDED');
    expect(ended instanceof Error).toBe(false);
    expect(isCallEndedError(ended)).toBe(true);
    expect(isHangupError(ended)).toBe(true);
    expect(isInvalidSignalError(foreignError('InvalidSignalError', 'INVALID_SIGNAL'))).toBe(true);
    expect(isMediaAcquisitionError(foreignError('MediaAcquisitionError', 'MEDIA_ACQUISITION'))).toBe(true);
    expect(isHangupError(foreignError('HangupError', 'SEND_FAILED'))).toBe(true);
  });

  it("recognise this realm's errors and tell them apart", () => {
    const summary = { reason: 'hangup' as const, endedAt: 1, durationMs: 0 };
    const errors = [
      new CallEndedError(summary),
      new InvalidSignalError('bad'),
      new MediaAcquisitionError('camera', new Error('NotAllowedError')),
      HangupError.candidateFailed(new Error('x')),
    ];
    expect(errors.map(isHangupError)).toEqual([true, true, true, true]);
    expect(errors.map(isCallEndedError)).toEqual([true, false, false, false]);
    expect(errors.map(isInvalidSignalError)).toEqual([false, true, false, false]);
    expect(errors.map(isMediaAcquisitionError)).toEqual([false, false, true, false]);
    expect(errors.map((error) => error.code)).toEqual([
      'CALL_ENDED',
      'INVALID_SIGNAL',
      'MEDIA_ACQUISITION',
      'CANDIDATE_FAILED',
    ]);
  });

  it('reject look-alikes: other names, a missing code, non-objects', () => {
    expect(isHangupError(foreignError('TypeError', 'CALL_ENDED'))).toBe(false);
    expect(isHangupError({ name: 'HangupError' })).toBe(false);
    expect(isCallEndedError('CallEndedError')).toBe(false);
    expect(isCallEndedError(null)).toBe(false);
    expect(isHangupError(undefined)).toBe(false);
  });

  it('carry the cause and say what happened', () => {
    const cause = new Error('NotAllowedError');
    const error = new MediaAcquisitionError('local media', cause);
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('local media');
    expect(error.name).toBe('MediaAcquisitionError');
    const ended = new CallEndedError({ reason: 'expired', endedAt: 5, durationMs: 4 });
    expect(ended.reason).toBe('expired');
    expect(ended.summary.durationMs).toBe(4);
  });
});
