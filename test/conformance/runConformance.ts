import { it } from 'vitest';
import {
  isConformanceSkip,
  type SignalingAdapterPair,
  type SignalingConformanceOptions,
  signalingAdapterConformance,
} from '../../src/testing/signalingAdapterConformance.js';

/** Registers every conformance case as a vitest test; a `ConformanceSkip` becomes a skipped test. */
export function runConformance(
  createPair: () => SignalingAdapterPair | Promise<SignalingAdapterPair>,
  options?: SignalingConformanceOptions,
): void {
  for (const testCase of signalingAdapterConformance(createPair, options)) {
    it(testCase.name, async (ctx) => {
      try {
        await testCase.run();
      } catch (error) {
        if (isConformanceSkip(error)) return ctx.skip(error.message);
        throw error;
      }
    }, 20_000);
  }
}
