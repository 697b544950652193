import { afterAll, afterEach } from 'vitest';

// @roamhq/wrtc can crash at process exit while closed peer connections or stopped tracks are still
// reachable; sessions drop every reference at teardown, and collecting here lets the native side go first.
const collect = (): void => (globalThis as { gc?: () => void }).gc?.();
afterEach(collect);
afterAll(collect);
