import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs on the fake runtime + ManualClock in happy-dom; `wrtc` runs real peer
// connections from @roamhq/wrtc, which segfaults in worker threads, hence `pool: 'forks'`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}', 'test/conformance/**/*.test.ts'],
          environment: 'happy-dom',
          // Error logs and listener exceptions fail the test that caused them.
          setupFiles: ['test/helpers/failOnProblems.ts'],
        },
      },
      {
        test: {
          name: 'wrtc',
          include: ['test/wrtc/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          // Collecting closed connections before exit avoids @roamhq/wrtc's crash at process exit.
          execArgv: ['--expose-gc'],
          setupFiles: ['test/helpers/collectGarbage.ts', 'test/helpers/failOnProblems.ts'],
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core from Node.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 90_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Firefox, Chromium and Node peers calling each other through the relay (test/interop/matrix.test.ts).
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          execArgv: ['--expose-gc'],
          setupFiles: ['test/helpers/collectGarbage.ts', 'test/helpers/failOnProblems.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
