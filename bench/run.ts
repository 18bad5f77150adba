/**
 * `npm run bench [-- --scale 1 --small-scale 0.25 --server-repo DIR --world bench --reuse-world --keep --out DIR]`: builds (or
 * reuses) the bench worlds, measures every figure of issues 6 and 13 in one run, prints a table,
 * writes results.json and RESULTS.md. Needs `npm run build` (it runs the CLI as a user does) and
 * `npm run engine`. `--server-repo`: a checkout of triton-inference-server/server at the release's
 * tag (compose.py and build.py), for the compose.py figure; without it that row is left out.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchBuildKit } from './lib/buildkit-times.js';
import { benchComposeBuild } from './compose-build.js';
import { composePyReady } from './compose-py.js';
import { benchDryRun } from './dry-run.js';
import { benchInspect } from './inspect-memory.js';
import { log } from './lib/proc.js';
import { docker, removeImages, repoRoot } from './lib/tools.js';
import { renderMarkdown } from './markdown.js';
import { benchPush } from './push.js';
import { figures, table, type Results } from './results.js';
import { benchSlimSize } from './slim-size.js';
import { benchStartup } from './lib/startup-times.js';
import { buildWorld, worldImages } from './world-build.js';

const RELEASE = '24.09';
const KEEP_BACKENDS = ['pytorch', 'onnxruntime', 'python'];
const SLIM = 'tslim-bench/tritonserver:slim';

async function writeAtomic(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

/** Spread of each repeated timing, (max − min) / median: how far one run can be from another. */
function noiseNote(r: Results): string {
  const spread = (v: number[]): string => {
    const sorted = [...v].sort((a, b) => a - b);
    const mid = sorted[Math.floor(sorted.length / 2)] ?? 1;
    return `${Math.round((100 * ((sorted.at(-1) ?? 0) - (sorted[0] ?? 0))) / mid)} % over ${v.length}`;
  };
  const parts = [
    `node alone ${spread(r.startup.samplesS.node)}`,
    `tslim --help ${spread(r.startup.samplesS.help)}`,
    `offline dry run ${spread(r.startup.samplesS.offline)}`,
    `engine dry run ${spread(r.dryRun.samplesS.engine)}`,
    `engine dry run, facts cached ${spread(r.dryRun.samplesS.cached)}`,
    ...(r.dryRun.samplesS.composePy.length ? [`compose.py ${spread(r.dryRun.samplesS.composePy)}`] : []),
    ...(r.dryRun.samplesS.node22.length ? [`engine dry run under Node 22 ${spread(r.dryRun.samplesS.node22)}`] : []),
    `by hand ${spread(r.dryRun.samplesS.byHand)}`,
    ...r.inspect.flatMap((i) => [
      `inspect (layer store) at scale ${i.scale} ${spread(i.samplesS.layers)}`,
      `inspect (du path) at scale ${i.scale} ${spread(i.samplesS.inspect)}`,
      `du at scale ${i.scale} ${spread(i.samplesS.du)}`,
    ]),
  ];
  return (
    'Noise: the spread, (max − min) / median, of each repeated timing in this run: ' +
    parts.join('; ') +
    '. Ratios of figures measured in the same interleaved rounds carry less of it than the absolute times; single runs (builds, push, stream path) carry all of it.'
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      scale: { type: 'string', default: '1' },
      'small-scale': { type: 'string', default: '0.25' },
      keep: { type: 'boolean' },
      out: { type: 'string' },
      'server-repo': { type: 'string' },
      // the worlds' names (NAME and NAME-small): a trial run at a small scale leaves `bench` alone
      world: { type: 'string', default: 'bench' },
      // reuse the bench world as it is: no cold world build (its figure is left out)
      'reuse-world': { type: 'boolean' },
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
  const serverRepo = values['server-repo'] ? path.resolve(values['server-repo']) : undefined;
  if (serverRepo) composePyReady(serverRepo);
  else notes.push('compose.py was not measured: no --server-repo checkout was given.');
  const started = Date.now();
  const loadAtStart = os.loadavg()[0]!;
  const danglingBefore = new Set(await builtDangling());
  try {
    const big = await buildWorld(values.world, scale, !values['reuse-world']);
    const little = await buildWorld(`${values.world}-small`, small, false);
    const rel = big.world.releases[RELEASE]!;
    const payload = (w: typeof big): number =>
      Object.values(w.world.releases[RELEASE]!.payload)
        .flatMap((k) => Object.values(k))
        .reduce((a, b) => a + b, 0);

    const startup = await benchStartup(15);
    const dryRun = await benchDryRun(rel.full, rel.min, RELEASE, KEEP_BACKENDS, 5, serverRepo);
    const inspect = [];
    for (const w of [little, big]) {
      const backendBytes = Object.values(w.world.releases[RELEASE]!.payload.backends).reduce((a, b) => a + b, 0);
      inspect.push(await benchInspect(w.scale, w.world.releases[RELEASE]!.full, payload(w), backendBytes));
    }
    const builders = await benchBuildKit(little.world, RELEASE, KEEP_BACKENDS, 1);
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
      startup,
      dryRun,
      inspect,
      builders,
      compose,
      slim,
      push,
    };
    notes.push(`Total bench run ${((Date.now() - started) / 60000).toFixed(1)} min.`);
    notes.push(noiseNote(results));
    notes.push(
      `Load average (1 min) at the start ${loadAtStart.toFixed(2)}, at the end ${os.loadavg()[0]!.toFixed(2)}: anything else running on the host at the time adds to every timing.`,
    );
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
      // a rebuild under the same tag (cold, warm, BuildKit, classic) leaves the previous image
      // untagged: ~20 GB a run at scale 1, which filled this host's disk once
      await removeImages((await builtDangling()).filter((id) => !danglingBefore.has(id)));
      for (const name of [values.world, `${values.world}-small`]) {
        const images = (await worldImages(name)).sort(
          (a, b) => Number(a.endsWith('-min')) - Number(b.endsWith('-min')),
        );
        await removeImages(images);
      }
    }
  }
}

/** Untagged images that tslim built (its dev.tslim.backends label). */
async function builtDangling(): Promise<string[]> {
  const out = await docker(['images', '-q', '--no-trunc', '-f', 'dangling=true', '-f', 'label=dev.tslim.backends']);
  return out.stdout.split('\n').filter(Boolean);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
