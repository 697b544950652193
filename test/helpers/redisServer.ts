import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { REDIS_SERVER } from './redisProcess.js';

export { freePort, REDIS_SERVER, startRedis, type TestRedis } from './redisProcess.js';

const redisPresent = existsSync(REDIS_SERVER);
const inCi = Boolean(process.env.CI);
if (!redisPresent && !inCi) {
  console.warn(
    `[hangup] cluster tests SKIPPED: ${REDIS_SERVER} is missing. Install it with \`apt-get install -y redis-server\` ` +
      '(.ci/run does); with CI set they run and fail instead of skipping.',
  );
}

/** Whether tests that need Redis run: it is installed, or CI requires them (and they fail without it). */
export const redisAvailable = redisPresent || inCi;

/** `describe` for tests that need Redis: skipped (with the warning above) only when it is missing outside CI. */
export const describeRedis = describe.runIf(redisPresent || inCi);
