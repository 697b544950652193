import { afterEach, vi } from 'vitest';
import { checkedLogger, problemLogger, recordProblem, takeProblems } from './problems.js';

// Every session and adapter that was given no logger logs here: an `error` log fails the test. A session
// given its own logger wraps it in `safeLogger` (src/session/options.ts): wrapped here too, so a test's own
// logger does not hide an error log (adapters' and relays' loggers: `checkedLogger` by hand).
vi.mock('../../src/logger.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/logger.js')>();
  return {
    ...actual,
    silentLogger: problemLogger,
    safeLogger: (logger: import('../../src/logger.js').Logger) => actual.safeLogger(checkedLogger(logger)),
  };
});

// A listener's exception is recorded for the test that caused it, instead of surfacing in a later macrotask
// (blamed on another test, or never with fake timers).
vi.mock('../../src/util/rethrowLater.js', () => ({
  rethrowLater: (error: unknown) => recordProblem('a listener threw', error),
}));

afterEach(() => {
  const problems = takeProblems();
  if (problems.length > 0) {
    throw new Error(`this test caused ${problems.length} unreported problem(s):\n- ${problems.join('\n- ')}`);
  }
});
