/**
 * Long run of the model-based lifecycle properties: `npm run test:props -- --runs 10000 [--seed S]`.
 * The seed is printed before and after; replay a failure with the same `--seed` (fast-check's own report also
 * gives the seed and the shrink path).
 */
import { longRun } from './lib/longRun.js';

longRun({
  name: 'test:props',
  files: ['test/unit/props/'],
  runsVariable: 'HANGUP_PROPS_RUNS',
  seedVariable: 'HANGUP_PROPS_SEED',
  defaultRuns: 10_000,
});
