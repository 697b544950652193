/**
 * Where a session writes diagnostics. SDP and ICE candidates are only ever passed to `debug`.
 */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const noop = (): void => {};

/** The default logger: says nothing. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Whether `value` has the four logging methods. */
export function isLogger(value: unknown): value is Logger {
  return (
    typeof value === 'object' &&
    value !== null &&
    LEVELS.every((level) => typeof (value as Record<string, unknown>)[level] === 'function')
  );
}

/**
 * Wraps an app's logger so that a logger that throws can never break the session (teardown must not throw,
 * and a runtime callback must not throw into the runtime). What it threw is dropped: there is nowhere safer
 * to report it than the logger itself.
 */
export function safeLogger(logger: Logger): Logger {
  const wrap =
    (level: (typeof LEVELS)[number]) =>
    (message: string, ...details: unknown[]): void => {
      try {
        logger[level](message, ...details);
      } catch {
        // See above: swallowed on purpose.
      }
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
