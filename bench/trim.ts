/**
 * --trim in one run: trimmed vs untrimmed (= compose.py's recipe: tslim's recipe is the same
 * Dockerfile, instruction by instruction) for three backend sets on a realistic-proportion world,
 * and the analysis time and peak RSS of `--trim=report` on a multi-GB image vs a small one.
 * usage: npm run bench:trim -- [--scale 0.25] [--world NAME]   (builds or reuses the named world at that scale)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { World } from '../test/world/world-types.js';
import { log, run } from './lib/proc.js';
import { docker, removeImages, repoRoot, tslim, worldComposeFlags } from './lib/tools.js';

const SETS = [['onnxruntime', 'python', 'tensorrt'], ['python'], ['pytorch']];
const arg = (name: string): string | undefined =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
const scale = Number(arg('--scale') ?? 0.25);
/** --world NAME reuses a named world already built at that scale (e.g. the `bench` world at scale 1). */
const worldName = arg('--world') ?? 'trim';
const RELEASE = '24.09';

interface TrimJson {
  trim: {
    untrimmed: { bytes: number };
    trimmed: { bytes: number } | null;
    removedBytes: number;
    byCategory: Record<string, { bytes: number }>;
    analysis: { ms: number; streamedBytes: number };
    buildMs: number | null;
  };
}

async function world(name: string, s: number): Promise<World> {
  const out = await run(process.execPath, [
    path.join(repoRoot, 'node_modules', 'vite-node', 'vite-node.mjs'),
    path.join(repoRoot, 'test', 'world', 'cli.ts'),
    '--',
    'up',
    '--name',
    name,
    '--scale',
    String(s),
    '--skip-push',
  ]);
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as World;
}

async function compose(w: World, backends: string[], output: string, trim: string[], rss = false) {
  const dir = await mkdtemp(path.join(tmpdir(), 'tslim-bench-trim-'));
  const r = w.releases[RELEASE]!;
  try {
    return await tslim(
      [
        'compose',
        '--skip-pull',
        '--image',
        `full=${r.full}`,
        '--image',
        `min=${r.min}`,
        ...backends.flatMap((b) => ['--backend', b]),
        '--output-name',
        output,
        '--work-dir',
        dir,
        '--gpus',
        'none',
        ...worldComposeFlags(w),
        ...trim,
        '--json',
      ],
      rss ? { rss: true } : {},
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rows: string[] = [];
const results: Record<string, unknown> = { scale, release: RELEASE, at: new Date().toISOString() };
const big = await world(worldName, scale);
for (const set of SETS) {
  const output = `tslim-bench/trim-${set.join('-')}:${scale}`;
  log(`compose --trim ${set.join('+')} at scale ${scale}`);
  const measured = await compose(big, set, output, ['--trim']);
  const t = (JSON.parse(measured.stdout) as TrimJson).trim;
  const ratio = t.trimmed!.bytes / t.untrimmed.bytes;
  results[set.join('+')] = { ...t, wallS: measured.wallS };
  rows.push(
    `| ${set.join(' + ')} | ${(t.untrimmed.bytes / 1e9).toFixed(2)} GB | ${(t.trimmed!.bytes / 1e9).toFixed(2)} GB | ${ratio.toFixed(3)}× | ${(t.analysis.ms / 1000).toFixed(1)} s | ${((t.buildMs ?? 0) / 1000).toFixed(1)} s |`,
  );
  await removeImages([output, `${output}-untrimmed`]);
  await writeFile(path.join(repoRoot, 'bench', 'trim-results.json'), JSON.stringify(results, null, 2) + '\n');
}
// Analysis time and memory: --trim=report on the multi-GB image vs the test world's small one.
const small = await world('trim-small', 0.01);
const memory: string[] = [];
for (const [name, w] of [
  ['small', small],
  ['big', big],
] as const) {
  const output = `tslim-bench/trim-report-${name}:x`;
  const m = await compose(w, SETS[0]!, output, ['--trim=report'], true);
  const t = (JSON.parse(m.stdout) as TrimJson).trim;
  results[`report-${name}`] = {
    streamedBytes: t.analysis.streamedBytes,
    analysisMs: t.analysis.ms,
    maxRssKiB: m.maxRssKiB,
  };
  memory.push(
    `| ${name} | ${(t.analysis.streamedBytes / 1e9).toFixed(2)} GB | ${(t.analysis.ms / 1000).toFixed(1)} s | ${Math.round((m.maxRssKiB ?? 0) / 1024)} MiB |`,
  );
  await removeImages([output]);
}
const du = await docker([
  'run',
  '--rm',
  '--network',
  'none',
  '--entrypoint',
  'du',
  big.releases[RELEASE]!.min,
  '-sbx',
  '/',
]).catch(() => ({ stdout: 'unmeasured', wallS: 0 }));
const text = [
  `# --trim: sizes and analysis (one run, ${results.at as string})`,
  '',
  `World \`${worldName}\` at scale ${scale} (release ${RELEASE}; the -min fixture holds the real min image's CUDA/cuDNN/TensorRT/NCCL`,
  'libraries, static archives, headers and tools at the real proportions × scale; see docs/trim.md). The untrimmed image is',
  "tslim's compose recipe, which is compose.py's, so the ratio is trimmed vs compose.py's image.",
  '',
  '| backends | untrimmed (= compose.py recipe) | trimmed | trimmed / compose.py | analysis | write |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows,
  '',
  'Analysis (`--trim=report`: export stream, ELF reads, closure), peak RSS of the CLI process:',
  '',
  '| image | streamed | analysis | peak RSS |',
  '|---|---:|---:|---:|',
  ...memory,
  '',
  `\`du -sb /\` of the big -min image in a container, for scale: ${du.stdout.trim().split(/\s+/)[0]} B in ${du.wallS.toFixed(1)} s.`,
  '',
];
await writeFile(path.join(repoRoot, 'bench', 'trim.md'), text.join('\n'));
await writeFile(path.join(repoRoot, 'bench', 'trim-results.json'), JSON.stringify(results, null, 2) + '\n');
process.stdout.write(text.join('\n'));
