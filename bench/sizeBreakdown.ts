/**
 * `npm run size:breakdown`: what each part of the core import costs, in gzip bytes.
 *
 * Bundles `import { CallSession, createInMemorySignalingPair } from 'hangup'` from `src/` the way size-limit
 * does (esbuild, minified, tree-shaken, eventemitter3 included, gzip level 9), then again with one part
 * replaced by an empty stub; the difference is what that part adds. The stubbed bundles are never run.
 * The total is within a few bytes of size-limit's figure for the built `dist/` (same bundler settings).
 */
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';

const ENTRY = "export { CallSession, createInMemorySignalingPair } from './src/index.ts';";

interface Part {
  name: string;
  files: RegExp;
  stub: string;
}

const PARTS: Part[] = [
  {
    name: 'hostile-input validation (`parseSignalMessage`)',
    files: /src\/signaling\/parseSignalMessage\.ts$/,
    stub: 'export function parseSignalMessage(d) { return d; }',
  },
  {
    name: 'option validation and defaults',
    files: /src\/session\/options\.ts$/,
    stub: 'export function resolveOptions(o) { return o; }',
  },
  {
    name: 'in-memory pair (latency, drop, duplicate, reorder, seed)',
    files: /src\/signaling\/createInMemorySignalingPair\.ts$/,
    stub: 'export function createInMemorySignalingPair() { return {}; }',
  },
  {
    name: 'screen share, device switch, stats, audio-only fallback',
    files: /src\/media\/(ScreenShare|DeviceSwitch|StatsSampler|audioFallback|senders|mediaHost)\.ts$/,
    stub: 'export class ScreenShare {} export class DeviceSwitch {} export class StatsSampler {} export async function acquireWithAudioFallback() {} export function acquireTrack() {}',
  },
  {
    name: 'mute sync',
    files: /src\/media\/MuteSync\.ts$/,
    stub: 'export class MuteSync {}',
  },
  {
    name: 'signaling link (subscribe, validate, route, stamp, ownership)',
    files: /src\/signaling\/SignalingLink\.ts$/,
    stub: 'export class SignalingLink {} export function isSignalingAdapter() { return true; }',
  },
  {
    name: 'peer link (connection, gated negotiation, channels, remote stream)',
    files: /src\/peer\/PeerLink\.ts$/,
    stub: 'export class PeerLink {}',
  },
  {
    name: 'session wiring (part hosts) and emitter',
    files: /src\/session\/(sessionHosts|SessionEmitter)\.ts$/,
    stub: 'export class SessionEmitter {} export function sessionHosts() { return {}; }',
  },
  {
    name: 'perfect negotiation',
    files: /src\/peer\/PerfectNegotiation\.ts$/,
    stub: 'export class PerfectNegotiation {}',
  },
  {
    name: 'data channels (control + application)',
    files: /src\/peer\/DataChannelLink\.ts$/,
    stub: 'export class DataChannelLink {}',
  },
  {
    name: 'candidate queue (cap, duplicates, ICE generations)',
    files: /src\/peer\/IceCandidateQueue\.ts$/,
    stub: 'export class IceCandidateQueue {}',
  },
  {
    name: 'call timers and ICE recovery',
    files: /src\/session\/(CallTimers|IceRecovery)\.ts$/,
    stub: 'export class CallTimers {} export class IceRecovery {}',
  },
  { name: 'eventemitter3', files: /eventemitter3\/index\.js$/, stub: 'module.exports = class {};' },
];

function stubbing(part: Part): Plugin {
  return {
    name: 'stub',
    setup(b) {
      b.onLoad({ filter: part.files }, () => ({ contents: part.stub, loader: 'js' }));
    },
  };
}

async function gzipBytes(plugins: Plugin[] = []): Promise<number> {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins,
  });
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
}

const total = await gzipBytes();
const rows: [string, number][] = [];
for (const part of PARTS) rows.push([part.name, total - (await gzipBytes([stubbing(part)]))]);
const parts = rows.reduce((sum, [, bytes]) => sum + bytes, 0);
const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`;
process.stdout.write(`| part of the core import | adds (min+gzip) |\n| --- | --- |\n`);
for (const [name, bytes] of rows) process.stdout.write(`| ${name} | ${kb(bytes)} |\n`);
process.stdout.write(
  `| everything else: \`CallSession\` itself (state machine, teardown, media ownership, events, mute), errors, clock | ${kb(total - parts)} |\n`,
);
process.stdout.write(`| **total** | **${kb(total)}** |\n`);
