/**
 * Long fuzz run: `npm run fuzz -- --runs 100000`. Every fuzz property (parseSignalMessage on JSON, on
 * fc.anything, on nearly valid and on adversarial structures; the relay server's frame handling through real
 * WebSocket clients) runs N cases. fast-check prints the seed and path of any failure.
 *
 * The relay attacks (`test/unit/security/relayAttacks.test.ts`: a member that never reads, a ping flood, 1 000
 * idle sockets, each against the relay in a child process with its RSS measured and a legitimate pair's round
 * trips timed) run for `--attack-seconds S` each (default 25; 2 in `npm test`). They print one `[relay attack]`
 * line each with the figures quoted in docs/security.md.
 */
import { longRun } from './lib/longRun.js';

const args = process.argv.slice(2);
const flag = args.indexOf('--attack-seconds');
const attackSeconds = Number(flag >= 0 ? args[flag + 1] : (process.env.HANGUP_ATTACK_SECONDS ?? 25));
if (!(attackSeconds > 0)) {
  process.stderr.write('fuzz: --attack-seconds must be a positive number\n');
  process.exit(2);
}
process.env.HANGUP_ATTACK_SECONDS = String(attackSeconds);

longRun({
  name: 'fuzz',
  files: [
    'test/unit/parseSignalMessage.test.ts',
    'test/unit/fuzz/',
    'test/unit/security/relayAttacks.test.ts',
  ],
  runsVariable: 'HANGUP_FUZZ_RUNS',
  defaultRuns: 100_000,
});
