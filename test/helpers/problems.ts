import type { Logger } from '../../src/index.js';

/**
 * Problems a session reports where no assertion can see them: `error` logs (an illegal transition is one)
 * and exceptions thrown by listeners, which the session isolates and re-throws in a later macrotask (an
 * `expect` failing inside a listener ends up here). `test/helpers/failOnProblems.ts` fails the test that
 * caused them, in its own `afterEach`; a test that provokes one on purpose takes it with `takeProblems()`.
 */
const recorded: string[] = [];

export function recordProblem(what: string, detail?: unknown): void {
  const text =
    detail instanceof Error
      ? `${detail.name}: ${detail.message}`
      : detail === undefined
        ? ''
        : String(detail);
  recorded.push(text === '' ? what : `${what}: ${text}`);
}

/** The problems recorded since the last call (and forgets them). */
export function takeProblems(): string[] {
  return recorded.splice(0, recorded.length);
}

/** A logger that records every `error` as a problem; the other levels are silent. */
export const problemLogger: Logger = Object.freeze({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (message: string, ...details: unknown[]) =>
    recordProblem(`error log: ${message}`, details.length > 0 ? details[0] : undefined),
});

/**
 * Wraps a test's own logger so that its `error` logs still fail the test (they are recorded as problems, then
 * handed on). Sessions get it automatically (failOnProblems.ts wraps every logger a session is given); pass
 * an adapter's or a relay's logger through it by hand.
 */
export function checkedLogger(logger: Logger): Logger {
  return {
    debug: (message, ...details) => logger.debug(message, ...details),
    info: (message, ...details) => logger.info(message, ...details),
    warn: (message, ...details) => logger.warn(message, ...details),
    error: (message, ...details) => {
      recordProblem(`error log: ${message}`, details.length > 0 ? details[0] : undefined);
      logger.error(message, ...details);
    },
  };
}
