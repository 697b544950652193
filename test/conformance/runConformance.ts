import { it } from 'vitest';
import {
  type SignalingAdapterPair,
  type SignalingConformanceOptions,
  signalingAdapterConformance,
} from '../../src/testing/signalingAdapterConformance.js';

/** Registers every conformance case as a vitest test; a `{ skipped }` outcome becomes a skipped test. */
export function runConformance(
  createPair: () => SignalingAdapterPair | Promise<SignalingAdapterPair>,
  options?: SignalingConformanceOptions,
): void {
  for (const testCase of signalingAdapterConformance(createPair, options)) {
    it(testCase.name, async (ctx) => {
      const outcome = await testCase.run();
      if (outcome?.skipped) ctx.skip(outcome.skipped);
    }, 20_000);
  }
}
