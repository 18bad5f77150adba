/**
 * `npx vite-node bench/inspect-du.ts [-- --image REF ... --rounds 5]` (after `npm run build`):
 * `tslim inspect --json FULL` (the layer store, the default here), the du path and the streamed-archive path vs
 * `docker run --rm IMAGE du -sb …`, per image, as ratios with peak RSS. Default images: the 24.09
 * full of the test world (.world/world.json) and of the `bench` world (.world/bench/world.json,
 * `npm run world -- up --name bench --scale 1 --skip-push`) when it exists. Prints markdown rows.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { World } from '../test/world/world-types.js';
import { benchInspect, type InspectAtScale } from './inspect-memory.js';
import { repoRoot } from './lib/tools.js';

function fromWorld(
  file: string,
): { scale: number; image: string; payloadBytes: number; backendBytes: number } | undefined {
  if (!existsSync(file)) return undefined;
  const world = JSON.parse(readFileSync(file, 'utf8')) as World;
  const rel = world.releases['24.09'];
  if (!rel) return undefined;
  const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
  const p = rel.payload;
  return {
    scale: world.scale,
    image: rel.full,
    payloadBytes: sum(p.backends) + sum(p.repoagents) + sum(p.caches),
    backendBytes: sum(p.backends),
  };
}

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { rounds: { type: 'string', default: '5' } },
});
const rounds = Number(values.rounds);
const targets = [path.join(repoRoot, '.world/world.json'), path.join(repoRoot, '.world/bench/world.json')]
  .map(fromWorld)
  .filter((t) => t !== undefined);
const rows: InspectAtScale[] = [];
for (const t of targets) rows.push(await benchInspect(t.scale, t.image, t.payloadBytes, t.backendBytes, rounds));
const gb = (b: number): string => `${(b / 1e9).toFixed(2)} GB`;
const mib = (k: number): string => `${(k / 1024).toFixed(0)} MiB`;
const x = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
console.log(
  '| payload | du in a container | tslim inspect, layer store | ratio | peak RSS | tslim inspect, du path | ratio | peak RSS | stream path | ratio | stream peak RSS |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${gb(r.payloadBytes)} | ${r.duS.toFixed(2)} s | ${r.layersS.toFixed(2)} s | ${x(r.layersS, r.duS)} | ${mib(r.layersPeakRssKiB)} | ${r.inspectS.toFixed(2)} s | ${x(r.inspectS, r.duS)} | ${mib(r.inspectPeakRssKiB)} | ${r.streamS.toFixed(1)} s | ${x(r.streamS, r.duS)} | ${mib(r.streamPeakRssKiB)} |`,
  );
}
console.log(JSON.stringify({ rounds, rows }));
