/**
 * `npm run demo:web [-- --port 8080]`: serves examples/web-demo/ (plain TypeScript) and examples/react/ on
 * 127.0.0.1 with the reference relay, and prints the URLs to open in two tabs.
 */
import { startWebDemoServer } from '../examples/web-demo/server.js';

const portIndex = process.argv.indexOf('--port');
const port = portIndex >= 0 ? Number(process.argv[portIndex + 1]) : 8080;
const demo = await startWebDemoServer({ port });
const room = `room-${Math.random().toString(36).slice(2, 7)}`;
console.log(`hangup web demo running. Open this URL in two tabs (same room = same call):

  ${demo.url}?room=${room}
  ${demo.url}react.html?room=${room}    (the React version)

Add &limit=30 for a 30-second call. Ctrl+C stops the server.`);
const stop = () => {
  void demo.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
