// A relay node (cluster member) for tests and the load script: options come as JSON in argv[2]; it prints
// `{"port":…,"processId":…}` on one line once listening, and drains on SIGTERM.
import { createRelayServer } from '../../src/server/createRelayServer.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const relay = await createRelayServer(options);
process.stdout.write(
  `${JSON.stringify({ port: relay.port, processId: (relay as { processId?: string }).processId })}\n`,
);
process.on('SIGTERM', () => {
  void relay.drain().then(() => process.exit(0));
});
process.on('message', (message) => {
  if (message === 'memory') {
    globalThis.gc?.();
    process.send?.({ memory: process.memoryUsage().heapUsed });
  }
});
