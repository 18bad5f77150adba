/**
 * `npx vite-node bench/inspect-du.ts [-- --image REF ... --rounds 5]` (after `npm run build`):
 * `tslim inspect --json FULL` (du path, the default) and the streamed-archive path vs
 * `docker run --rm IMAGE du -sb …`, per image, as ratios with peak RSS. Default images: the 24.09
 * full of the test world (.world/world.json) and of the `bench` world (.world/bench/world.json,
 * `npm run world -- up --name bench --scale 1 --skip-push`) when it exists. Prints markdown rows.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { World } from '../test/world/world-types.js';
import { log, median, run } from './lib/proc.js';
import { docker, repoRoot, tslim } from './lib/tools.js';

interface Row {
  image: string;
  payloadBytes: number;
  inspectS: number;
  inspectPeakRssKiB: number;
  streamS: number;
  streamPeakRssKiB: number;
  duS: number;
}

// the stream path through the built library: the CLI has no flag for it (it is the fallback)
const STREAM = `
const { connectEngine } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist/docker/engine.js')).href)});
const { inspectImage } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist/inspect/inspect-image.js')).href)});
const f = await inspectImage(connectEngine(), process.argv[1], { role: 'full', sizeMethod: 'stream' });
console.log(JSON.stringify({ sizeMethod: f.sizeMethod, backends: f.backends }));
// dockerode's keep-alive agent holds the event loop (the CLI exits in main.ts for the same reason)
process.exit(0);`;

interface Facts {
  sizeMethod?: string;
  backends?: { bytes: number }[];
}
const backendSum = (f: Facts): number => (f.backends ?? []).reduce((a, b) => a + b.bytes, 0);

async function measure(image: string, payloadBytes: number, backendBytes: number, rounds: number): Promise<Row> {
  const inspect: number[] = [];
  const du: number[] = [];
  let rss = 0;
  for (let i = 0; i < rounds; i += 1) {
    // alternate, so a busy engine slows both alike
    const r = await tslim(['inspect', '--json', image], { rss: true });
    const facts = (JSON.parse(r.stdout) as { image: Facts }).image;
    if (facts.sizeMethod !== 'du') throw new Error(`${image}: sizes by ${facts.sizeMethod}, not du`);
    if (backendSum(facts) !== backendBytes)
      throw new Error(`${image}: backends ${backendSum(facts)} B ≠ ${backendBytes} B`);
    inspect.push(r.wallS);
    rss = Math.max(rss, r.maxRssKiB ?? 0);
    const d = await docker([
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'sh',
      image,
      '-c',
      'du -sb /opt/tritonserver/backends/*',
    ]);
    du.push(d.wallS);
  }
  const s = await run(process.execPath, ['--input-type=module', '-e', STREAM, image], { rss: true });
  const streamed = JSON.parse(s.stdout) as Facts;
  if (streamed.sizeMethod !== 'stream' || backendSum(streamed) !== backendBytes)
    throw new Error(`${image}: stream path disagrees`);
  const row = {
    image,
    payloadBytes,
    inspectS: median(inspect),
    inspectPeakRssKiB: rss,
    streamS: s.wallS,
    streamPeakRssKiB: s.maxRssKiB ?? 0,
    duS: median(du),
  };
  log(
    `${image}: inspect ${row.inspectS.toFixed(2)} s (${(rss / 1024).toFixed(0)} MiB), stream ${row.streamS.toFixed(1)} s, du ${row.duS.toFixed(2)} s`,
  );
  return row;
}

function fromWorld(file: string): { image: string; payloadBytes: number; backendBytes: number } | undefined {
  if (!existsSync(file)) return undefined;
  const rel = (JSON.parse(readFileSync(file, 'utf8')) as World).releases['24.09'];
  if (!rel) return undefined;
  const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
  const p = rel.payload;
  return {
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
const rows: Row[] = [];
for (const t of targets) rows.push(await measure(t.image, t.payloadBytes, t.backendBytes, rounds));
const gb = (b: number): string => `${(b / 1e9).toFixed(2)} GB`;
const mib = (k: number): string => `${(k / 1024).toFixed(0)} MiB`;
const x = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
console.log(
  '| payload | tslim inspect (du) | du in a container | ratio | peak RSS | stream path | stream / du | stream peak RSS |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${gb(r.payloadBytes)} | ${r.inspectS.toFixed(2)} s | ${r.duS.toFixed(2)} s | ${x(r.inspectS, r.duS)} | ${mib(r.inspectPeakRssKiB)} | ${r.streamS.toFixed(1)} s | ${x(r.streamS, r.duS)} | ${mib(r.streamPeakRssKiB)} |`,
  );
}
console.log(JSON.stringify({ rounds, rows }));
