/**
 * `npm run size:breakdown`: what each part of the core import costs, in gzip bytes.
 *
 * Bundles `import { CallSession, createInMemorySignalingPair } from 'hangup'` from `src/` the way size-limit
 * does (esbuild, minified, tree-shaken, eventemitter3 included, gzip level 9), then again with one part
 * replaced by a stub that keeps its imports (see {@link stubOf}); the difference is what that part itself adds,
 * so the parts do not overlap and the rest is what no part names. The stubbed bundles are never run.
 * The total is within a few bytes of size-limit's figure for the built `dist/` (same bundler settings).
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';

const ENTRY = "export { CallSession, createInMemorySignalingPair } from './src/index.ts';";

interface Part {
  name: string;
  files: RegExp;
  /** Replacement source; by default {@link stubOf} the file. */
  stub?: string;
}

const PARTS: Part[] = [
  {
    name: 'hostile-input validation (`parseSignalMessage`)',
    files: /src\/signaling\/parseSignalMessage\.ts$/,
  },
  {
    name: 'option validation and defaults',
    files: /src\/session\/options\.ts$/,
  },
  {
    name: 'in-memory pair (latency, drop, duplicate, reorder, seed)',
    files: /src\/signaling\/createInMemorySignalingPair\.ts$/,
  },
  {
    name: 'screen share, device switch, stats, audio-only fallback',
    files: /src\/media\/(ScreenShare|DeviceSwitch|StatsSampler|audioFallback|senders|mediaHost)\.ts$/,
  },
  {
    name: 'mute sync',
    files: /src\/media\/MuteSync\.ts$/,
  },
  {
    name: 'signaling link (subscribe, validate, route, stamp, ownership)',
    files: /src\/signaling\/SignalingLink\.ts$/,
  },
  {
    name: 'peer link (connection, gated negotiation, channels, remote stream)',
    files: /src\/peer\/PeerLink\.ts$/,
  },
  {
    name: 'session wiring (part hosts) and emitter',
    files: /src\/session\/(sessionHosts|SessionEmitter)\.ts$/,
  },
  {
    name: 'perfect negotiation',
    files: /src\/peer\/PerfectNegotiation\.ts$/,
  },
  {
    name: 'data channels (control + application)',
    files: /src\/peer\/DataChannelLink\.ts$/,
  },
  {
    name: 'candidate queue (cap, duplicates, ICE generations)',
    files: /src\/peer\/IceCandidateQueue\.ts$/,
  },
  {
    name: 'call timers and ICE recovery',
    files: /src\/session\/(CallTimers|IceRecovery)\.ts$/,
  },
  {
    name: 'error classes (codes, messages, name-based guards)',
    files: /src\/errors\/(HangupError|CallEndedError|InvalidSignalError|MediaAcquisitionError)\.ts$/,
  },
  {
    name: "media ownership and the call's own acquisition",
    files: /src\/media\/(MediaOwner|localMedia)\.ts$/,
  },
  {
    name: 'peer-connection wiring (handlers, detach-then-close)',
    files: /src\/peer\/peerConnection\.ts$/,
  },
  {
    name: 'timers, listener isolation, runtime/clock/logger defaults',
    files: /src\/(util\/(TimerSet|safeEmit|rethrowLater|randomId)|runtime|clock|logger)\.ts$/,
  },
  { name: 'eventemitter3', files: /eventemitter3\/index\.js$/, stub: 'module.exports = class {};' },
];

/**
 * A file with its own code taken out but its imports kept: every value it imports stays referenced from
 * every export it had, so only what the file itself adds goes away (not the modules it pulls in, which are
 * parts of their own). Regex-based: fine for this code base's plain `import { … } from` and
 * `export class|function|const` lines.
 */
function stubOf(path: string): string {
  const source = readFileSync(path, 'utf8');
  const imports: string[] = [];
  const locals: string[] = [];
  for (const [, clause, from] of source.matchAll(/^import\s+(?!type\s)\{([^}]*)\}\s+from\s+'([^']+)';/gm)) {
    const bindings = clause!
      .split(',')
      .map((binding) => binding.trim())
      .filter((binding) => binding && !binding.startsWith('type '));
    if (bindings.length === 0) continue;
    imports.push(`import { ${bindings.join(', ')} } from '${from}';`);
    locals.push(...bindings.map((binding) => binding.split(/\s+as\s+/).pop()!));
  }
  const body = [...imports, `const keep = (x) => [${locals.join(', ')}, x];`];
  for (const [, kind, name] of source.matchAll(/^export\s+(?:async\s+)?(class|function|const)\s+(\w+)/gm)) {
    if (kind === 'class') body.push(`export class ${name} { constructor(...a) { keep(a); } }`);
    else if (kind === 'function') body.push(`export function ${name}(...a) { return keep(a); }`);
    else body.push(`export const ${name} = keep(0);`);
  }
  return body.join('\n');
}

function stubbing(part: Part): Plugin {
  return {
    name: 'stub',
    setup(b) {
      b.onLoad({ filter: part.files }, (args) => ({
        contents: part.stub ?? stubOf(args.path),
        loader: 'ts',
        resolveDir: dirname(args.path),
      }));
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
  `| everything else: \`CallSession\` itself (public API, state machine, teardown list, snapshot), page hide, states, end reasons | ${kb(total - parts)} |\n`,
);
process.stdout.write(`| **total** | **${kb(total)}** |\n`);
