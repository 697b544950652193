/**
 * `npm run bench:hangup [-- calls]`: compiles the bench (bench/compile.ts) and runs bench/hangupMarks.ts in a
 * plain `node --expose-gc`, so the code measured is what the package ships, not tsx's wrapped source.
 */
import { spawnSync } from 'node:child_process';
import { compileBench } from './compile.js';

const { hangupMarks } = compileBench();
const child = spawnSync(process.execPath, ['--expose-gc', hangupMarks, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exitCode = child.status ?? 1;
