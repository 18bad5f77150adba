/**
 * Issue 25 in one run: what the layer-preserving `--trim` saves in registry and node traffic, against
 * the untrimmed image (= compose.py's recipe) and the flat import the trim wrote before.
 *   - bytes a push uploads after a rebuild with no change (goal 0);
 *   - compressed bytes a node that holds the -min base pulls: trimmed vs untrimmed;
 *   - compressed bytes two trimmed variants share (onnxruntime + python + tensorrt, and python only);
 *   - trim write time and peak RSS: tslim's layer writer vs the flat import (one process each).
 * Pushes go to the world's registry (127.0.0.1); compressed sizes come from the pushed manifests, whose
 * tags are deleted and blobs garbage-collected once read (a scale-1 run would hold ~30 GB).
 * usage: npm run bench:trim-layers -- [--scale 0.25] [--world NAME] | [--world-json PATH]
 *   --world-json reuses a world that is up (read only: nothing is built or started).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DistributionClient } from '../src/registry/distribution-client.js';
import { resolveAuth } from '../src/registry/credentials.js';
import { collectGarbage } from '../test/world/registry.js';
import type { World } from '../test/world/world-types.js';
import { log, run, type Measured } from './lib/proc.js';
import { docker, removeImages, repoRoot, tslim, worldComposeFlags } from './lib/tools.js';

const arg = (name: string): string | undefined =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
const RELEASE = '24.09';
const BIG = ['onnxruntime', 'python', 'tensorrt'];
const SMALL = ['python'];
const stamp = Date.now().toString(36);

async function world(): Promise<{ world: World; label: string }> {
  const json = arg('--world-json');
  if (json) {
    const w = JSON.parse(await readFile(json, 'utf8')) as World;
    return { world: w, label: `${json} (scale ${w.scale})` };
  }
  const name = arg('--world') ?? 'trim';
  const scale = arg('--scale') ?? '0.25';
  const out = await run(process.execPath, [
    path.join(repoRoot, 'node_modules', 'vite-node', 'vite-node.mjs'),
    path.join(repoRoot, 'test', 'world', 'cli.ts'),
    '--',
    'up',
    '--name',
    name,
    '--scale',
    scale,
    '--skip-push',
    '--release',
    RELEASE,
  ]);
  return { world: JSON.parse(out.stdout.trim().split('\n').pop()!) as World, label: `\`${name}\` at scale ${scale}` };
}

interface TrimJson {
  trim: {
    untrimmed: { id: string; bytes: number };
    trimmed: { id: string; bytes: number };
    buildMs: number;
    layers: { from: string; diffId: string; bytes: number; droppedEntries: number; droppedBytes: number }[];
  };
}

const { world: w, label } = await world();
const env = { DOCKER_CONFIG: w.registry.dockerConfig };
const repo = `${w.registry.address}/tslim-bench/trim-layers`;
const made: string[] = [];
/** Tags pushed to the world's registry: their manifests are deleted at the end (blobs stay until its GC). */
const pushedTags: string[] = [];

async function compose(backends: string[], output: string): Promise<{ json: TrimJson; run: Measured }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tslim-bench-trim-layers-'));
  const r = w.releases[RELEASE]!;
  made.push(output, `${output}-untrimmed`);
  try {
    const m = await tslim(
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
        '--trim',
        '--json',
      ],
      { rss: true, env },
    );
    return { json: JSON.parse(m.stdout) as TrimJson, run: m };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One write in its own process (bench/trim-write.ts): its time and the process's peak RSS. */
async function write(mode: 'layers' | 'flat', image: string) {
  const m = await run(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules', 'vite-node', 'vite-node.mjs'),
      path.join(repoRoot, 'bench', 'trim-write.ts'),
      '--',
      mode,
      image,
    ],
    { rss: true },
  );
  const out = JSON.parse(m.stdout.trim().split('\n').pop()!) as { id: string; writeMs: number; analysisMs: number };
  return { ...out, maxRssKiB: m.maxRssKiB ?? 0 };
}

/** Pushes IMAGE as repo:tag (the engine's own push: layers it knows the registry has are skipped). */
async function push(image: string, tag: string): Promise<string> {
  const ref = `${repo}:${tag}-${stamp}`;
  await docker(['tag', image, ref]);
  made.push(ref);
  pushedTags.push(`${tag}-${stamp}`);
  await docker(['push', ref], { env: { ...process.env, ...env } });
  return ref;
}

interface Pushed {
  /** Compressed layer sizes by the layer's diff id (manifest order = rootfs order). */
  layers: Map<string, number>;
  config: number;
}

const auth = await resolveAuth(w.registry.address, { env: { ...process.env, ...env } });
const client = new DistributionClient({ registry: w.registry.address, ...(auth ? { auth } : {}) });

async function manifest(ref: string, image: string): Promise<Pushed> {
  const [, tag] = ref.split(/:(?=[^:/]+$)/);
  const response = await client.request('GET', `/v2/tslim-bench/trim-layers/manifests/${tag}`, {
    accept: 'application/vnd.docker.distribution.manifest.v2+json',
    scope: 'repository:tslim-bench/trim-layers:pull',
  });
  const json = (await response.json()) as { config: { size: number }; layers: { size: number }[] };
  const inspect = JSON.parse(
    (await docker(['image', 'inspect', image, '--format', '{{json .RootFS.Layers}}'])).stdout,
  ) as string[];
  return { layers: new Map(inspect.map((d, i) => [d, json.layers[i]!.size])), config: json.config.size };
}

async function unpushAndCollect(): Promise<void> {
  await unpush();
  await collectGarbage();
}

async function unpush(): Promise<void> {
  const base = '/v2/tslim-bench/trim-layers/manifests';
  const scope = 'repository:tslim-bench/trim-layers:pull,push,delete';
  for (const tag of pushedTags) {
    const head = await client.request('HEAD', `${base}/${tag}`, {
      accept: 'application/vnd.docker.distribution.manifest.v2+json',
      scope,
    });
    const digest = head.headers.get('docker-content-digest');
    if (digest) await (await client.request('DELETE', `${base}/${digest}`, { scope })).body?.cancel();
  }
  pushedTags.length = 0;
}

const sum = (p: Pushed, keep: (diffId: string) => boolean): number =>
  [...p.layers].filter(([d]) => keep(d)).reduce((n, [, s]) => n + s, 0);
/** What a push of `next` uploads when `prev` is in the registry: its config and the layers prev lacks. */
const uploaded = (prev: Pushed, next: Pushed): number => next.config + sum(next, (d) => !prev.layers.has(d));
const gb = (n: number): string => `${(n / 1e9).toFixed(3)} GB`;
const ratio = (a: number, b: number): string => (b === 0 ? 'n/a' : `${(a / b).toFixed(3)}×`);

const results: Record<string, unknown> = { world: label, release: RELEASE, at: new Date().toISOString() };
try {
  const r = w.releases[RELEASE]!;
  const out = (n: string): string => `tslim-bench/trim-layers-${n}:${stamp}`;
  log(`compose --trim ${BIG.join('+')}, twice (a rebuild with no change)`);
  const first = await compose(BIG, out('big-1'));
  const second = await compose(BIG, out('big-2'));
  log(`compose --trim ${SMALL.join('+')}`);
  const small = await compose(SMALL, out('small'));

  log('pushing -min, the trimmed and the untrimmed images');
  const minRef = await push(r.min, 'min');
  const min = await manifest(minRef, r.min);
  const inMin = (d: string): boolean => min.layers.has(d);
  const trimmedRefs = [out('big-1'), out('big-2'), out('small')];
  const pushTrimmed = async (image: string, tag: string): Promise<Pushed> => {
    const ref = await push(image, tag);
    trimmedRefs.push(ref);
    return manifest(ref, image);
  };
  const trimmed1 = await pushTrimmed(out('big-1'), 'trimmed-1');
  const trimmed2 = await pushTrimmed(out('big-2'), 'trimmed-2');
  const untrimmed1 = await manifest(
    await push(`${out('big-1')}-untrimmed`, 'untrimmed-1'),
    `${out('big-1')}-untrimmed`,
  );
  const untrimmed2 = await manifest(
    await push(`${out('big-2')}-untrimmed`, 'untrimmed-2'),
    `${out('big-2')}-untrimmed`,
  );
  const smallTrimmed = await pushTrimmed(out('small'), 'small');
  // every tag of the trimmed images, so that their rewritten layers leave the engine
  await removeImages(trimmedRefs);
  // the manifests are read: their blobs leave the registry too (at scale 1 they are ~16 GB)
  await unpushAndCollect();

  log('write time and peak RSS: layer writer vs flat import (fresh: the trimmed images are gone)');
  const untrimmed = `${out('big-1')}-untrimmed`;
  const layersWrite = await write('layers', untrimmed);
  await removeImages([layersWrite.id]);
  // one flat image at a time in the engine: at scale 1 each is 6 GB
  const flat1 = await write('flat', untrimmed);
  const flatPushed1 = await manifest(await push(flat1.id, 'flat-1'), flat1.id);
  await removeImages([flat1.id, `${repo}:flat-1-${stamp}`]);
  // flat 2's upload after flat 1 is computed from the two manifests: flat 1's blobs need not stay
  await unpushAndCollect();
  const flat2 = await write('flat', untrimmed);
  const flatPushed2 = await manifest(await push(flat2.id, 'flat-2'), flat2.id);
  await removeImages([flat2.id, `${repo}:flat-2-${stamp}`]);

  const f = {
    rebuildPush: {
      trimmed: uploaded(trimmed1, trimmed2),
      untrimmed: uploaded(untrimmed1, untrimmed2),
      flat: uploaded(flatPushed1, flatPushed2),
      trimmedLayersSame: JSON.stringify([...trimmed1.layers.keys()]) === JSON.stringify([...trimmed2.layers.keys()]),
    },
    pullHoldingMin: {
      trimmed: sum(trimmed1, (d) => !inMin(d)) + trimmed1.config,
      untrimmed: sum(untrimmed1, (d) => !inMin(d)) + untrimmed1.config,
      flat: sum(flatPushed1, (d) => !inMin(d)) + flatPushed1.config,
      trimmedTotal: sum(trimmed1, () => true),
      untrimmedTotal: sum(untrimmed1, () => true),
    },
    variants: {
      shared: sum(smallTrimmed, (d) => trimmed1.layers.has(d)),
      sharedOutsideMin: sum(smallTrimmed, (d) => trimmed1.layers.has(d) && !inMin(d)),
      bigTotal: sum(trimmed1, () => true),
      smallTotal: sum(smallTrimmed, () => true),
    },
    write: {
      layers: layersWrite,
      flat: [flat1, flat2],
      composeBuildMs: [first.json.trim.buildMs, second.json.trim.buildMs],
    },
    layers: first.json.trim.layers.map((l) => ({
      kept: l.diffId === l.from,
      inMin: inMin(l.from),
      bytes: l.bytes,
      dropped: l.droppedEntries,
      droppedBytes: l.droppedBytes,
    })),
    composeRssKiB: [first.run.maxRssKiB, second.run.maxRssKiB, small.run.maxRssKiB],
  };
  Object.assign(results, f);
  const kept = f.layers.filter((l) => l.kept).length;
  const text = [
    `# --trim, layer by layer: registry and node traffic (one run, ${results.at as string})`,
    '',
    `World ${label}, release ${RELEASE}; pushes to the world's registry (${w.registry.address}) by the engine,`,
    "compressed sizes from the pushed manifests. Untrimmed = tslim's compose recipe = compose.py's.",
    `flat = the trim write before issue 25 (container export less the removed paths, \`docker import\`).`,
    `The ${BIG.join(' + ')} image has ${f.layers.length} layers: ${kept} kept byte for byte, ${f.layers.length - kept} rewritten.`,
    '',
    '| figure | layered trim | untrimmed (compose.py) | flat trim (before) | layered / untrimmed | layered / flat |',
    '|---|---:|---:|---:|---:|---:|',
    `| push after a rebuild with no change | ${gb(f.rebuildPush.trimmed)} | ${gb(f.rebuildPush.untrimmed)} | ${gb(f.rebuildPush.flat)} | ${ratio(f.rebuildPush.trimmed, f.rebuildPush.untrimmed)} | ${ratio(f.rebuildPush.trimmed, f.rebuildPush.flat)} |`,
    `| pull by a node holding -min (compressed) | ${gb(f.pullHoldingMin.trimmed)} | ${gb(f.pullHoldingMin.untrimmed)} | ${gb(f.pullHoldingMin.flat)} | ${ratio(f.pullHoldingMin.trimmed, f.pullHoldingMin.untrimmed)} | ${ratio(f.pullHoldingMin.trimmed, f.pullHoldingMin.flat)} |`,
    `| whole image (compressed) | ${gb(f.pullHoldingMin.trimmedTotal)} | ${gb(f.pullHoldingMin.untrimmedTotal)} | ${gb(sum(flatPushed1, () => true))} | ${ratio(f.pullHoldingMin.trimmedTotal, f.pullHoldingMin.untrimmedTotal)} | ${ratio(
      f.pullHoldingMin.trimmedTotal,
      sum(flatPushed1, () => true),
    )} |`,
    '',
    "Rewritten layers (the others are byte for byte the untrimmed image's):",
    '',
    '| layer | from -min | tar bytes written | entries dropped | bytes dropped |',
    '|---:|:---:|---:|---:|---:|',
    ...f.layers.flatMap((l, i) =>
      l.kept
        ? []
        : [`| ${i + 1} | ${l.inMin ? 'yes' : 'no'} | ${gb(l.bytes)} | ${l.dropped} | ${gb(l.droppedBytes)} |`],
    ),
    '',
    `Push uploads count the config blob (a rebuild's config differs: its run label and time). Same layer digests on the rebuild: ${f.rebuildPush.trimmedLayersSame}.`,
    '',
    `Variants: ${BIG.join(' + ')} (${gb(f.variants.bigTotal)}) and ${SMALL.join(' + ')} (${gb(f.variants.smallTotal)}) share ${gb(f.variants.shared)} compressed, ${gb(f.variants.sharedOutsideMin)} of it outside -min (the flat trim: 0).`,
    '',
    '| write (own process: analysis + write) | write time | peak RSS |',
    '|---|---:|---:|',
    `| layered (save, filter, load) | ${(layersWrite.writeMs / 1000).toFixed(1)} s | ${Math.round(layersWrite.maxRssKiB / 1024)} MiB |`,
    `| flat (export, filter, import), run 1 | ${(flat1.writeMs / 1000).toFixed(1)} s | ${Math.round(flat1.maxRssKiB / 1024)} MiB |`,
    `| flat, run 2 | ${(flat2.writeMs / 1000).toFixed(1)} s | ${Math.round(flat2.maxRssKiB / 1024)} MiB |`,
    '',
    `layered / flat write time: ${ratio(layersWrite.writeMs, flat1.writeMs)}; in compose --trim the layered write took ${(f.write.composeBuildMs[0]! / 1000).toFixed(1)} s and ${(f.write.composeBuildMs[1]! / 1000).toFixed(1)} s.`,
    '',
  ];
  await writeFile(path.join(repoRoot, 'bench', `trim-layers-scale-${w.scale}.md`), text.join('\n'));
  process.stdout.write(text.join('\n'));
} finally {
  await writeFile(
    path.join(repoRoot, 'bench', `trim-layers-results-scale-${w.scale}.json`),
    JSON.stringify(results, null, 2) + '\n',
  );
  await removeImages(made);
  await unpushAndCollect();
}
