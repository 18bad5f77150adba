/**
 * `vite-node bench/real-triton.ts [-- --rounds 3]`: tslim on the real Triton server (the world's
 * tslim-real pair, built from NVIDIA's sources) against the protocol double (the fixture pair), in
 * one run on this host: `verify` of the python and onnxruntime samples on each full image, `verify
 * --model-repository` of the user repository, and `compose --trim` of onnxruntime + python. Writes
 * bench/real-triton.json and bench/real-triton.md. Needs `npm run build` and `npm run world`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readWorld } from '../test/world/read-world.js';
import { log } from './lib/proc.js';
import { realComposeFlags } from '../test/support/world-flags.js';
import { removeImages, repoRoot, tslim, worldComposeFlags } from './lib/tools.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
const world = readWorld();
if (!world.real) throw new Error('world.json has no real pair: run `npm run world`');
const real = world.real;
const fixture = world.releases['24.09']!;
const userRepo = path.join(repoRoot, 'test', 'fixtures', 'user-models', 'onnx-python');
const env = { DOCKER_CONFIG: world.registry.dockerConfig };

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;

async function timed(args: string[]): Promise<number> {
  return (await tslim(args, { env })).wallS;
}

async function series(label: string, args: string[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) out.push(await timed(args));
  log(`${label}: ${out.map((s) => s.toFixed(1)).join(', ')} s`);
  return out;
}

const verifySamples = (image: string) => [
  'verify',
  image,
  '--backend',
  'python',
  '--backend',
  'onnxruntime',
  '--gpus',
  'none',
];
const verifyUser = (image: string) => ['verify', image, '--model-repository', userRepo, '--gpus', 'none'];

const rows: { what: string; real: number[]; double: number[] }[] = [];
rows.push({
  what: 'verify, python + onnxruntime samples',
  real: await series('real samples', verifySamples(real.full)),
  double: await series('double samples', verifySamples(fixture.full)),
});
rows.push({
  what: 'verify --model-repository (onnx FP16/INT64, python, BYTES python, ensemble)',
  real: await series('real user', verifyUser(real.full)),
  double: await series('double user', verifyUser(fixture.full)),
});

const dir = await mkdtemp(path.join(os.tmpdir(), 'tslim-bench-real-'));
const trimArgs = (flags: string[], out: string) => [
  'compose',
  '--version',
  '24.09',
  ...flags,
  '--backend',
  'onnxruntime',
  '--backend',
  'python',
  '--gpus',
  'none',
  '--trim',
  '--output-name',
  out,
  '--work-dir',
  dir,
];
const realFlags = realComposeFlags(real);
const doubleFlags = [...worldComposeFlags(world), '--skip-pull'];
const trimReal: number[] = [];
const trimDouble: number[] = [];
for (let i = 0; i < rounds; i++) {
  trimReal.push(await timed(trimArgs(realFlags, `tslim-bench/real-trim:${i}`)));
  trimDouble.push(await timed(trimArgs(doubleFlags, `tslim-bench/double-trim:${i}`)));
  await removeImages([
    `tslim-bench/real-trim:${i}`,
    `tslim-bench/real-trim:${i}-untrimmed`,
    `tslim-bench/double-trim:${i}`,
    `tslim-bench/double-trim:${i}-untrimmed`,
  ]);
}
log(
  `trim real ${trimReal.map((s) => s.toFixed(1)).join(', ')} s; double ${trimDouble.map((s) => s.toFixed(1)).join(', ')} s`,
);
rows.push({ what: 'compose --trim (onnxruntime + python, build + trim + verify)', real: trimReal, double: trimDouble });
await rm(dir, { recursive: true, force: true });

const result = {
  at: new Date().toISOString(),
  host: `${os.cpus().length} cores, Node ${process.version}`,
  rounds,
  rows,
};
await writeFile(path.join(repoRoot, 'bench', 'real-triton.json'), JSON.stringify(result, null, 2) + '\n');
const md = [
  '# tslim on the real Triton server vs the protocol double',
  '',
  `One run of \`vite-node bench/real-triton.ts --rounds ${rounds}\` at ${result.at} (${result.host}); medians in seconds, ratio real / double.`,
  '',
  '| what | real | double | real / double |',
  '|---|---:|---:|---:|',
  ...rows.map((r) => {
    const a = median(r.real);
    const b = r.double.length ? median(r.double) : NaN;
    return `| ${r.what} | ${a.toFixed(1)} | ${Number.isNaN(b) ? '—' : b.toFixed(1)} | ${Number.isNaN(b) ? '—' : (a / b).toFixed(2) + '×'} |`;
  }),
  '',
].join('\n');
await writeFile(path.join(repoRoot, 'bench', 'real-triton.md'), md);
process.stdout.write(md);
