import { readdirSync } from 'node:fs';

/** Lets @roamhq/wrtc finish closing on its own threads before the next sample starts. */
export const pause = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

/** Open file descriptors of this process; Linux only, `undefined` elsewhere. */
export function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

/**
 * @roamhq/wrtc releases a closed connection's sockets and pipes on its own threads, later: rounds of many
 * calls back to back would pile them up past the descriptor limit. Waits (at most 10 s) until the process
 * holds no more descriptors than `baseline`; elsewhere just a pause.
 */
export async function drainFds(baseline: number | undefined): Promise<void> {
  await pause(20);
  if (baseline === undefined) return;
  const deadline = performance.now() + 10_000;
  while ((openFds() ?? 0) > baseline + 20 && performance.now() < deadline) await pause(20);
}
