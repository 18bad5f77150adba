/**
 * `vite-node bench/startup.ts [-- --rounds 15]`: start-up time of the built CLI (`npm run build`
 * first). Median wall time of N runs each of `node -e ''` (Node alone), `tslim --help`, and
 * `tslim compose --dry-run --offline` with the arguments of bench/dry-run.ts's offline case, and
 * their ratios to Node alone. No engine needed; results in bench/startup.md.
 */
import { parseArgs } from 'node:util';
import { log } from './lib/proc.js';
import { benchStartup } from './lib/startup-times.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: { rounds: { type: 'string', default: '15' } },
  });
  const r = await benchStartup(Number(values.rounds));
  const ms = (s: number): string => `${(s * 1000).toFixed(0)} ms`;
  const rows: [string, number][] = [
    ["node -e ''", r.nodeS],
    ['tslim --help', r.helpS],
    ['tslim compose --dry-run --offline', r.offlineS],
    ['tslim compose --dry-run --offline (TSLIM_NO_CODE_CACHE=1)', r.offlineNoCodeS],
  ];
  log(`median of ${r.rounds} runs each`);
  process.stdout.write('| command | median wall | vs node alone |\n|---|---:|---:|\n');
  for (const [name, s] of rows) process.stdout.write(`| \`${name}\` | ${ms(s)} | ${(s / r.nodeS).toFixed(2)}× |\n`);
  process.stdout.write(`\noffline dry-run vs --help: ${(r.offlineS / r.helpS).toFixed(2)}×\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
