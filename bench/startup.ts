/**
 * `vite-node bench/startup.ts [-- --rounds 15]`: start-up time of the built CLI (`npm run build`
 * first). Median wall time of N runs each of `node -e ''` (Node alone), `tslim --help`, and
 * `tslim compose --dry-run --offline` with the arguments of bench/dry-run.ts's offline case, and
 * their ratios to Node alone. No engine needed; results in bench/startup.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { log, median, run } from './lib/proc.js';
import { tslim } from './lib/tools.js';

const RELEASE = '24.09';
const KEEP_BACKENDS = ['pytorch', 'onnxruntime', 'python'];

export interface Startup {
  rounds: number;
  nodeS: number;
  helpS: number;
  offlineS: number;
}

export async function benchStartup(rounds = 15): Promise<Startup> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tslim-bench-startup-'));
  const offlineArgs = [
    'compose',
    '--dry-run',
    '--version',
    RELEASE,
    ...KEEP_BACKENDS.flatMap((b) => ['--backend', b]),
    '--output',
    path.join(dir, 'Dockerfile'),
    '--offline',
  ];
  const node: number[] = [];
  const help: number[] = [];
  const offline: number[] = [];
  try {
    // one unmeasured round warms the page cache
    await tslim(offlineArgs);
    // interleaved, so load on the host spreads over all three alike
    for (let i = 0; i < rounds; i++) {
      node.push((await run(process.execPath, ['-e', ''])).wallS);
      help.push((await tslim(['--help'])).wallS);
      offline.push((await tslim(offlineArgs)).wallS);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { rounds, nodeS: median(node), helpS: median(help), offlineS: median(offline) };
}

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
