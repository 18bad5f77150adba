/**
 * `npx vite-node bench/dry-run-peer.ts -- --server-repo DIR [--rounds 7]` (after `npm run build`):
 * bench/dry-run.ts alone on the test world's 24.09 images (.world/world.json): tslim's dry run with an
 * engine, uncached and with the facts cache filled, vs compose.py's own dry run and the by-hand docker
 * calls, interleaved in one run. Prints a markdown table (recorded in bench/dry-run-cache.md).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readWorld } from '../test/world/read-world.js';
import { composePyReady } from './compose-py.js';
import { benchDryRun } from './dry-run.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { 'server-repo': { type: 'string' }, rounds: { type: 'string', default: '7' } },
});
const serverRepo = values['server-repo'] ? path.resolve(values['server-repo']) : undefined;
if (serverRepo) composePyReady(serverRepo);
const rel = readWorld().releases['24.09']!;
const r = await benchDryRun(
  rel.full,
  rel.min,
  '24.09',
  ['pytorch', 'onnxruntime', 'python'],
  Number(values.rounds),
  serverRepo,
);
const s = (v: number): string => `${v.toFixed(2)} s`;
const peer = r.composePyS;
const rows: [string, number][] = [
  ['tslim compose --dry-run, engine, uncached (TSLIM_NO_CACHE=1)', r.engineS],
  ['tslim compose --dry-run, engine, facts cached (a repeated run)', r.cachedS],
  ['tslim compose --dry-run --offline', r.offlineS],
  ['tslim compose --dry-run, engine, uncached, code cache off (TSLIM_NO_CODE_CACHE=1: a first run)', r.engineNoCodeS],
  ['tslim compose --dry-run --offline, code cache off', r.offlineNoCodeS],
  ...(r.node22S === undefined
    ? []
    : ([['tslim compose --dry-run, engine, uncached, under Node 22 (compile cache)', r.node22S]] as [
        string,
        number,
      ][])),
  ['by hand (docker inspect + 2 × docker run)', r.byHandS],
];
console.log(`median of ${r.rounds} interleaved rounds\n`);
console.log(
  `| command | median | vs compose.py --dry-run${peer === undefined ? ' (not measured)' : ` (${s(peer)})`} |`,
);
console.log('|---|---:|---:|');
for (const [name, v] of rows)
  console.log(`| ${name} | ${s(v)} | ${peer === undefined ? '-' : `${(v / peer).toFixed(2)}×`} |`);
console.log(`\nsamples: ${JSON.stringify(r.samplesS)}`);
