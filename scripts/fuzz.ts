/**
 * Long fuzz run: `npm run fuzz -- --runs 100000`. Every fuzz property (parseSignalMessage on JSON, on
 * fc.anything, on nearly valid and on adversarial structures; the relay server's frame handling through real
 * WebSocket clients) runs N cases. fast-check prints the seed and path of any failure.
 */
import { longRun } from './lib/longRun.js';

longRun({
  name: 'fuzz',
  files: ['test/unit/parseSignalMessage.test.ts', 'test/unit/fuzz/'],
  runsVariable: 'HANGUP_FUZZ_RUNS',
  defaultRuns: 100_000,
});
