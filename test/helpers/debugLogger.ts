import type { Logger } from '../../src/index.js';

/**
 * A logger that keeps its `debug` lines, for tests that check what a session logged instead of emitting, and
 * drops `info` and `warn`. Its `error` does nothing here: `failOnProblems.ts` wraps every session's logger,
 * so an error log still fails the test that caused it.
 */
export function debugLogger(): { logger: Logger; debug: string[] } {
  const debug: string[] = [];
  const logger: Logger = {
    debug: (message: string) => void debug.push(message),
    info: () => {},
    warn: () => {},
    error: () => {},
  };
  return { logger, debug };
}
