/**
 * `npx vite-node bench/inspect-entries.ts [-- --files 150000 --rounds 5]` (after `npm run build`,
 * with the test world up): the layer-store path at a real image's entry count. The world's images
 * have ~20k entries while a real Triton image has far more (CUDA, cuDNN, TensorRT, Python), nearly
 * all outside /opt/tritonserver, in layers that the store answers from their files without reading
 * their records (only layers holding /opt/tritonserver are read from their records). This adds one
 * layer of FILES small files outside /opt/tritonserver to the world's 24.09 full image, then times,
 * alternated, `tslim inspect --json --size-method layers` (the store whatever its records' size),
 * `tslim inspect --json` (auto), `--size-method du` and `du -sb /opt/tritonserver/backends/*` in a
 * throwaway container. The image is removed after.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { World } from '../test/world/world-types.js';
import { log, median } from './lib/proc.js';
import { docker, duInContainer, removeImages, repoRoot, tslim } from './lib/tools.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    files: { type: 'string', default: '150000' },
    rounds: { type: 'string', default: '5' },
    // where the files go: outside /opt/tritonserver (as a real image's OS/CUDA/Python files are), or
    // e.g. /opt/tritonserver/backends/many (the store's worst case: a layer it must read whole)
    under: { type: 'string', default: '/usr/share/many' },
    // the same layer also writes one file in /opt/tritonserver: the store must read its whole record
    'touch-root': { type: 'boolean', default: false },
  },
});
const under = values.under.replace(/\/+$/, '');
if (!/^\/[A-Za-z0-9/_.-]+$/.test(under)) throw new Error(`--under ${under}: an absolute path, letters and digits`);
const files = Number(values.files);
const rounds = Number(values.rounds);
const world = JSON.parse(readFileSync(path.join(repoRoot, '.world/world.json'), 'utf8')) as World;
const full = world.releases['24.09']?.full;
if (!full) throw new Error('the test world has no 24.09 image: npm run world');
const image = `tslim-bench/many-entries:${files}${under.startsWith('/opt/tritonserver/') ? '-inside' : ''}${values['touch-root'] ? '-touch' : ''}`;
const perDir = 1000;
// dash's arithmetic and printf only: the world's images have no bash-only features to count on
const script = [
  `i=0; while [ $i -lt ${Math.ceil(files / perDir)} ]; do d=${under}/d$i; mkdir -p $d;`,
  `j=0; while [ $j -lt ${perDir} ]; do printf x > $d/f$j; j=$((j+1)); done; i=$((i+1)); done`,
  ...(values['touch-root'] ? ['; printf x > /opt/tritonserver/backends/python/touched'] : []),
].join(' ');

async function entries(ref: string): Promise<number> {
  const out = await docker([
    'run',
    '--rm',
    '--network',
    'none',
    '--entrypoint',
    'sh',
    ref,
    '-c',
    'find / -xdev | wc -l',
  ]);
  return Number(out.stdout.trim());
}

try {
  log(
    `building ${image}: ${full} + ${files} files in one layer, under ${under}${values['touch-root'] ? ', and one in /opt/tritonserver' : ''}`,
  );
  // rejects with the build's output on failure
  await docker(['build', '-q', '--network', 'none', '-t', image, '-'], { stdin: `FROM ${full}\nRUN ${script}\n` });
  const total = await entries(image);
  const layers: number[] = [];
  const auto: number[] = [];
  const viaDu: number[] = [];
  const du: number[] = [];
  let autoMethod = '';
  const inspect = async (args: string[]): Promise<{ wallS: number; method: string }> => {
    const r = await tslim(['inspect', '--json', ...args, image]);
    return {
      wallS: r.wallS,
      method: (JSON.parse(r.stdout) as { image: { sizeMethod?: string } }).image.sizeMethod ?? '',
    };
  };
  for (let r = 0; r < rounds; r += 1) {
    const forced = await inspect(['--size-method', 'layers']);
    if (forced.method !== 'layers') throw new Error(`sizes by ${forced.method}, not layers`);
    layers.push(forced.wallS);
    const a = await inspect([]);
    autoMethod = a.method;
    auto.push(a.wallS);
    viaDu.push((await inspect(['--size-method', 'du'])).wallS);
    du.push((await duInContainer(image, '/opt/tritonserver/backends/*')).wallS);
  }
  const x = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
  log(`entries in the image: ${total}`);
  const m = (v: number[]): string => `${median(v).toFixed(2)} s | ${x(median(v), median(du))}`;
  console.log(
    '| entries in the image | added files under | du in a container | layer store (forced) | ratio | auto | ratio | du path | ratio |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${total} | ${under}${values['touch-root'] ? ' (+1 in /opt/tritonserver)' : ''} | ${median(du).toFixed(2)} s | ${m(layers)} | ${m(auto)} (${autoMethod}) | ${m(viaDu)} |`,
  );
  console.log(JSON.stringify({ files, under, total, rounds, autoMethod, samplesS: { layers, auto, viaDu, du } }));
} finally {
  await removeImages([image]);
}
