/**
 * `npm run bench [-- --scale 1 --small-scale 0.25 --keep --out DIR]`: builds (or reuses) the bench
 * worlds, measures every figure of issue #6 once, prints a table, writes results.json and RESULTS.md.
 * Needs `npm run build` (it runs the CLI as a user does) and `npm run engine`.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchComposeBuild } from './compose-build.js';
import { benchDryRun } from './dry-run.js';
import { benchInspect } from './inspect-memory.js';
import { log } from './lib/proc.js';
import { docker, removeImages, repoRoot } from './lib/tools.js';
import { renderMarkdown } from './markdown.js';
import { benchPush } from './push.js';
import { figures, table, type Results } from './results.js';
import { benchSlimSize } from './slim-size.js';
import { buildWorld, worldImages } from './world-build.js';

const RELEASE = '24.09';
const KEEP_BACKENDS = ['pytorch', 'onnxruntime', 'python'];
const SLIM = 'tslim-bench/tritonserver:slim';

async function writeAtomic(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      scale: { type: 'string', default: '1' },
      'small-scale': { type: 'string', default: '0.25' },
      keep: { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const scale = Number(values.scale);
  const small = Number(values['small-scale']);
  const outDir = path.resolve(values.out ?? path.join(repoRoot, 'bench'));
  const notes: string[] = [];
  if (!execFileSync('sh', ['-c', 'command -v /usr/bin/time || true'], { encoding: 'utf8' }).trim()) {
    log('installing GNU time (peak RSS)');
    execFileSync('apt-get', ['install', '-y', '-q', 'time'], { stdio: 'inherit' });
  }
  const started = Date.now();
  try {
    const big = await buildWorld('bench', scale, true);
    const little = await buildWorld('bench-small', small, false);
    const rel = big.world.releases[RELEASE]!;
    const payload = (w: typeof big): number =>
      Object.values(w.world.releases[RELEASE]!.payload)
        .flatMap((k) => Object.values(k))
        .reduce((a, b) => a + b, 0);

    const dryRun = await benchDryRun(rel.full, rel.min, RELEASE, KEEP_BACKENDS);
    const inspect = [];
    for (const w of [little, big]) {
      const backendBytes = Object.values(w.world.releases[RELEASE]!.payload.backends).reduce((a, b) => a + b, 0);
      inspect.push(await benchInspect(w.scale, w.world.releases[RELEASE]!.full, payload(w), backendBytes));
    }
    const compose = await benchComposeBuild(big.world, rel.full, rel.min, KEEP_BACKENDS, SLIM);
    const slim = await benchSlimSize(rel.full, SLIM, rel.min);
    const push = await benchPush(SLIM, slim.slimBytes);

    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const git = (args: string[]): string => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = git(['status', '--porcelain', '--', 'src']) ? ' + uncommitted src changes' : '';
    const results: Results = {
      schema: 'tslim.bench/v1',
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? '?',
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        kernel: os.release(),
      },
      versions: {
        tslim: pkg.version,
        commit: git(['rev-parse', '--short', 'HEAD']) + dirty,
        node: process.version,
        dockerEngine: (await docker(['version', '--format', '{{.Server.Version}}'])).stdout.trim(),
        dockerClient: (await docker(['version', '--format', '{{.Client.Version}}'])).stdout.trim(),
      },
      release: RELEASE,
      world: [big, little].map(({ name, scale: sc, coldS, warmS }) => ({
        name,
        scale: sc,
        ...(coldS === undefined ? {} : { coldS }),
        warmS,
      })),
      dryRun,
      inspect,
      compose,
      slim,
      push,
    };
    notes.push(`Total bench run ${((Date.now() - started) / 60000).toFixed(1)} min.`);
    notes.push(
      'The bench world is built with --skip-push: nothing in the bench pulls its fixtures, and pushing four multi-GB images would take longer than the rest of the run; the push figure pushes the slim image instead.',
    );
    notes.push(
      `The host has ${os.cpus().length} CPUs; single-run wall times carry its noise (anything else running at the time adds to it); memory and byte figures do not.`,
    );
    process.stdout.write(table(figures(results)));
    await writeAtomic(path.join(outDir, 'results.json'), JSON.stringify({ ...results, notes }, null, 2) + '\n');
    await writeAtomic(path.join(outDir, 'RESULTS.md'), renderMarkdown(results, notes));
    log(`wrote ${path.join(outDir, 'results.json')} and RESULTS.md`);
  } finally {
    if (!values.keep) {
      log('removing the bench images (--keep keeps them)');
      await removeImages([SLIM]);
      for (const name of ['bench', 'bench-small']) {
        const images = (await worldImages(name)).sort(
          (a, b) => Number(a.endsWith('-min')) - Number(b.endsWith('-min')),
        );
        await removeImages(images);
      }
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
