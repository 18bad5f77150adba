import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import type { ContextFile } from './build-context.js';
import { buildWorldImage } from './build-image.js';
import { contentHash } from './hash.js';
import { progress } from './log.js';
import { cacheDir, worldSrcDir } from './paths.js';
import { ensurePipIndex } from './pip-index.js';
import { pipPackages } from './recipe-packages.js';
import { run } from './run.js';

/** The real Triton pair (test/world/real/Dockerfile): built from NVIDIA's sources, CPU only. */
export const REAL_REPOSITORY = 'tslim-real/tritonserver';
export const REAL_TAGS = { full: `${REAL_REPOSITORY}:24.09-py3`, min: `${REAL_REPOSITORY}:24.09-py3-min` } as const;
/** The release the real pair builds; its -min starts from this fixture -min. */
export const REAL_RELEASE = '24.09';
/** ONNX Runtime's CPU library comes from this npm package (bin/napi-v6/linux/x64/libonnxruntime.so.1). */
const ORT_PACKAGE = 'onnxruntime-node@1.31.1';
/** The pip index the real pair's python backend installs from: a real numpy, no stand-in. */
export const REAL_PIP_INDEX = 'real-simple';

const realDir = path.join(worldSrcDir, 'real');

export interface RealPair {
  full: string;
  min: string;
  /** Seconds the builds took this run (0 when both were up to date). */
  builtSeconds: number;
}

/** Builds tslim-real/tritonserver:24.09-py3{,-min} unless both carry the hash of every input. */
export async function ensureRealPair(engine: Docker, base: string, fixtureMin: string): Promise<RealPair> {
  const [ort, numpy] = await Promise.all([ortLibrary(), numpyWheel()]);
  await ensurePipIndex({
    dir: REAL_PIP_INDEX,
    stubs: pipPackages.filter((p) => p.name !== 'numpy'),
    wheels: [numpy],
  });
  const files: ContextFile[] = [
    ...(await contextFiles(realDir, '')),
    { name: 'ort/lib/libonnxruntime.so.1', content: await readFile(ort) },
    { name: `wheels/${path.basename(numpy)}`, content: await readFile(numpy) },
  ];
  const ids = await Promise.all([base, fixtureMin].map(async (t) => (await engine.getImage(t).inspect()).Id));
  const mirror = process.env.TSLIM_WORLD_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
  const hash = contentHash(
    'real-pair',
    files.map((f) => [f.name, sha256(f.content)]),
    ids,
    mirror,
  );
  const buildargs = { BASE: base, MIN: fixtureMin, DEBIAN_MIRROR: mirror };
  const started = Date.now();
  // min first: its stage needs every compile stage (the runtime packages come from their closure),
  // so the full build that follows finds them all in the layer cache.
  const builtMin = await buildWorldImage(engine, REAL_TAGS.min, files, hash, {
    target: 'min',
    buildargs,
    labelHash: true,
  });
  const builtFull = await buildWorldImage(engine, REAL_TAGS.full, files, hash, {
    target: 'full',
    buildargs,
    labelHash: true,
  });
  const builtSeconds = builtMin || builtFull ? (Date.now() - started) / 1000 : 0;
  return { full: REAL_TAGS.full, min: REAL_TAGS.min, builtSeconds };
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every file under dir as a context entry, sorted, with its mode (scripts stay executable). */
async function contextFiles(dir: string, prefix: string): Promise<ContextFile[]> {
  const out: ContextFile[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const name = prefix + e.name;
    if (e.isDirectory()) out.push(...(await contextFiles(path.join(dir, e.name), `${name}/`)));
    else out.push({ name, content: await readFile(path.join(dir, e.name)) });
  }
  return out;
}

/** libonnxruntime.so.1 from npm's onnxruntime-node, fetched once with `npm pack` (no install scripts run). */
async function ortLibrary(): Promise<string> {
  const dir = path.join(cacheDir, 'ort');
  const lib = path.join(dir, 'libonnxruntime.so.1');
  if (
    await readFile(lib).then(
      () => true,
      () => false,
    )
  )
    return lib;
  await mkdir(dir, { recursive: true });
  progress(`npm pack ${ORT_PACKAGE} (ONNX Runtime's CPU library)`);
  await run('npm', ['pack', ORT_PACKAGE, '--silent', '--pack-destination', dir], { quiet: true });
  const tgz = (await readdir(dir)).find((f) => f.startsWith('onnxruntime-node-') && f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack ${ORT_PACKAGE} left no tarball in ${dir}`);
  await run('tar', ['-xzf', tgz, '--strip-components=5', 'package/bin/napi-v6/linux/x64/libonnxruntime.so.1'], {
    cwd: dir,
  });
  await rm(path.join(dir, tgz));
  return lib;
}

/** Debian 12's python3-numpy repacked as a wheel (repack-deb-wheel.py), once. */
async function numpyWheel(): Promise<string> {
  const dir = path.join(cacheDir, 'numpy');
  const have = (await readdir(dir).catch(() => [] as string[])).find((f) => f.endsWith('.whl'));
  if (have) return path.join(dir, have);
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'root'), { recursive: true });
  progress("apt-get download python3-numpy (repacked as the real world's numpy wheel)");
  await run('apt-get', ['download', 'python3-numpy'], { cwd: dir, quiet: true });
  const deb = (await readdir(dir)).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download python3-numpy left no .deb in ${dir}`);
  await run('dpkg-deb', ['-x', deb, 'root'], { cwd: dir });
  // 1:1.24.2-1+deb12u1 -> 1.24.2
  const version = deb
    .split('_')[1]!
    .replace(/^\d+%3a/, '')
    .replace(/-[^-]*$/, '');
  await run('python3', [path.join(worldSrcDir, 'repack-deb-wheel.py'), 'root', 'numpy', version, '.'], {
    cwd: dir,
    quiet: true,
  });
  await rm(path.join(dir, 'root'), { recursive: true });
  await rm(path.join(dir, deb));
  const wheel = (await readdir(dir)).find((f) => f.endsWith('.whl'));
  if (!wheel) throw new Error(`repacking ${deb} made no wheel`);
  return path.join(dir, wheel);
}
