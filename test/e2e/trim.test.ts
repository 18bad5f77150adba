import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LABEL } from '../../src/core/labels.js';
import { withScratchContainer, statPath } from '../../src/docker/archive.js';
import { connectEngine } from '../../src/docker/engine.js';
import { readImageTree } from '../../src/trim/image-tree.js';
import { TRIM_LABEL } from '../../src/trim/trim-image.js';
import { buildContext } from '../world/build-context.js';
import { followStream } from '../../src/docker/json-stream.js';
import { readWorld } from '../world/read-world.js';
import { runCli } from '../support/run-cli.js';
import { runInImage } from '../support/run-in-image.js';
import { spawnCli } from '../support/spawn-cli.js';
import { worldComposeFlags } from '../support/world-flags.js';
import { removeImageRefs } from '../support/tiny-image.js';

// compose --trim on the ELF-real world (gcc-built CUDA/cuDNN/TensorRT libraries, backends whose
// TRITONBACKEND_Initialize really dlopens their framework's libraries): the trimmed image verifies,
// a closure library deleted by hand or a dlopen entry ignored makes verify fail with the loader's
// own error, --keep keeps, --trim=report writes nothing, Ctrl-C leaves nothing.
const world = readWorld();
const engine = connectEngine();
const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const runId = `trim-test-${id}`;
const env = { DOCKER_CONFIG: world.registry.dockerConfig };
const worldArgs = [
  '--version',
  '24.09',
  ...worldComposeFlags(world),
  '--backend',
  'onnxruntime',
  '--backend',
  'python',
  '--backend',
  'tensorrt',
  '--gpus',
  'none',
];
const CUDA_LIB = '/usr/local/cuda-12.6/targets/x86_64-linux/lib';
const made: string[] = [];
let dir = '';

interface TrimJson {
  verify?: { ok: boolean };
  image: { id: string; tag: string };
  trim: {
    untrimmed: { id: string; bytes: number };
    trimmed: { id: string; bytes: number } | null;
    removedBytes: number;
    filesystemBytes: number;
    largest: { path: string }[];
    keptForDlopen: { path: string; entry: string }[];
    untrimmedTag?: string;
    layers: { from: string; diffId: string; bytes: number; droppedEntries: number }[] | null;
    base: { min: string; layers: number } | null;
  };
}

async function compose(output: string, extra: string[], more: NodeJS.ProcessEnv = {}) {
  made.push(output, `${output}-untrimmed`);
  return runCli(['compose', ...worldArgs, '--output-name', output, '--work-dir', dir, ...extra], {
    env: { ...env, ...more },
    cwd: dir,
  });
}

async function trimmedImages(): Promise<string[]> {
  return (await engine.listImages({ filters: { label: [TRIM_LABEL] } })).map((i) => i.Id).sort();
}

async function exists(image: string, path: string): Promise<boolean> {
  return withScratchContainer(engine, image, runId, async (c) => (await statPath(c, path)) !== undefined);
}

function run(image: string, cmd: string[]): Promise<string> {
  return runInImage(engine, image, cmd, runId, 2000);
}

let first: TrimJson;
const output = `tslim-test/trim:${id}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tslim-trim-'));
  const result = await compose(output, ['--trim', '--json']);
  expect(result.code, result.stderr).toBe(0);
  first = JSON.parse(result.stdout) as TrimJson;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await removeImageRefs(engine, made);
});

describe('tslim compose --trim (onnxruntime + python + tensorrt, ELF-real world)', () => {
  it('verifies the trimmed image, tags it, keeps the untrimmed one, and is smaller by what it removed', async () => {
    expect(first.verify?.ok).toBe(true);
    const t = first.trim;
    expect(t.trimmed).not.toBeNull();
    expect(first.image).toMatchObject({ id: t.trimmed!.id, tag: output });
    expect((await engine.getImage(output).inspect()).Id).toBe(t.trimmed!.id);
    expect((await engine.getImage(`${output}-untrimmed`).inspect()).Id).toBe(t.untrimmed.id);
    expect(t.removedBytes).toBeGreaterThan(0);
    // the untrimmed image's layers, each kept byte for byte or rewritten without the removed entries
    const [trimmedImage, untrimmedImage, minImage] = await Promise.all([
      engine.getImage(output).inspect(),
      engine.getImage(t.untrimmed.id).inspect(),
      engine.getImage(world.releases['24.09']!.min).inspect(),
    ]);
    const layers = t.layers!;
    expect(layers.map((l) => l.from)).toEqual(untrimmedImage.RootFS.Layers);
    expect(trimmedImage.RootFS.Layers).toEqual(layers.map((l) => l.diffId));
    for (const l of layers) expect(l.diffId === l.from, l.from).toBe(l.droppedEntries === 0);
    expect(layers.some((l) => l.droppedEntries > 0)).toBe(true);
    // the -min base's layers that lost nothing are the -min image's own: shared in the engine and a registry
    const minLayers = new Set(minImage.RootFS.Layers);
    const shared = trimmedImage.RootFS.Layers!.filter((l) => minLayers.has(l));
    expect(shared.length).toBeGreaterThan(0);
    expect(shared).toEqual(layers.filter((l) => l.droppedEntries === 0 && minLayers.has(l.from)).map((l) => l.from));
    expect(t.untrimmed.bytes - trimmedImage.Size).toBeGreaterThanOrEqual(t.removedBytes * 0.99);
    // and the config is the original's
    const [a, b] = await Promise.all([
      engine.getImage(t.untrimmed.id).inspect(),
      engine.getImage(t.trimmed!.id).inspect(),
    ]);
    for (const field of ['Env', 'Entrypoint', 'Cmd', 'WorkingDir', 'User'] as const)
      expect(b.Config[field], field).toEqual(a.Config[field]);
    expect(Object.keys(b.Config.Labels).sort()).toEqual([...Object.keys(a.Config.Labels), TRIM_LABEL].sort());
  });

  it('keeps every library the closure needs: the real ld.so finds all of them in the trimmed image', async () => {
    const out = await run(first.image.id, [
      'sh',
      '-c',
      'for f in /opt/tritonserver/lib/*.so /opt/tritonserver/backends/*/*.so /opt/tritonserver/backends/python/triton_python_backend_stub; do echo "== $f"; ldd "$f"; done',
    ]);
    expect(out).toContain('libcublasLt.so.12 =>');
    expect(out).toContain('libnvinfer.so.10 =>');
    expect(out).not.toMatch(/not found/);
    // and what went is really gone, not hidden under a later layer
    const tree = await withScratchContainer(engine, first.image.id, runId, (c) => readImageTree(c));
    for (const f of first.trim.largest) expect(tree.tree.get(f.path), f.path).toBeUndefined();
  });

  it('tslim report shows what the trim removed (from the label on the trimmed image)', async () => {
    const full = world.releases['24.09']!.full;
    const result = await runCli(['report', full, output, '--json', '--no-registry'], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const report = (
      JSON.parse(result.stdout) as {
        report: {
          trim?: {
            from: string;
            removedBytes: number;
            layers?: { total: number; sharedWithMin: number; pullBytes: number };
          };
        };
      }
    ).report;
    expect(report.trim).toMatchObject({ from: first.trim.untrimmed.id, removedBytes: first.trim.removedBytes });
    // per image: the layers shared with -min, and what a node holding -min pulls (the rewritten layers and those above)
    const layers = first.trim.layers!;
    const min = new Set((await engine.getImage(world.releases['24.09']!.min).inspect()).RootFS.Layers);
    const pull = layers.filter((l) => !min.has(l.diffId)).reduce((n, l) => n + l.bytes, 0);
    expect(report.trim?.layers).toEqual({
      total: layers.length,
      sharedWithMin: layers.filter((l) => min.has(l.diffId)).length,
      pullBytes: pull,
    });
    expect(pull).toBeLessThan(layers.reduce((n, l) => n + l.bytes, 0));
    const table = await runCli(['report', full, output, '--no-registry'], { env, cwd: dir });
    expect(table.stdout).toMatch(/trimmed\s+\S+ \S+ removed from sha256:/);
    expect(table.stdout).toMatch(/trim layers\s+\d+ of \d+ shared with min; a node holding min pulls/);
  });

  it('keeps a dlopen-only library because of its table entry', async () => {
    const kept = first.trim.keptForDlopen.find((d) => d.path.endsWith('libcudnn_engines_precompiled.so.9.3.0'));
    expect(kept?.entry).toBe('cudnn-sublibraries');
    expect(await exists(first.image.id, kept!.path)).toBe(true);
  });

  it('deleting one closure library by hand makes verify fail, naming it', async () => {
    const broken = `tslim-test/trim-broken:${id}`;
    made.push(broken);
    const dockerfile = `FROM ${first.image.id}\nRUN rm -f ${CUDA_LIB}/libcublasLt.so.12*\nLABEL ${RUN_LABEL}=${runId}\n`;
    await followStream(
      await engine.buildImage(buildContext([{ name: 'Dockerfile', content: dockerfile }]), {
        t: broken,
        networkmode: 'none',
      }),
    );
    const result = await runCli(['verify', broken, '--gpus', 'none', '--backend', 'onnxruntime'], { env, cwd: dir });
    expect(result.code, result.stderr).toBe(8);
    expect(result.stdout + result.stderr).toMatch(/libcublasLt\.so\.12: cannot open shared object file/);
  });

  it('ignoring the dlopen entry (test-only override) drops the library, fails verify and keeps the untrimmed image', async () => {
    const before = await trimmedImages();
    const out = `tslim-test/trim-nodlopen:${id}`;
    const result = await compose(out, ['--trim'], { TSLIM_TRIM_IGNORE_DLOPEN: 'libcudnn_engines_precompiled.so*' });
    expect(result.code, result.stderr).toBe(8);
    expect(result.stderr).toMatch(/libcudnn_engines_precompiled\.so\.9: cannot open shared object file/);
    const kept = await engine.getImage(out).inspect();
    expect(kept.Config.Labels[TRIM_LABEL]).toBeUndefined();
    expect(await trimmedImages()).toEqual(before);
  });

  it('a rebuild with no change writes the same layers (nothing new to push)', async () => {
    const again = `tslim-test/trim-again:${id}`;
    const result = await compose(again, ['--trim', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const second = JSON.parse(result.stdout) as TrimJson;
    expect(second.trim.layers!.map((l) => l.diffId)).toEqual(first.trim.layers!.map((l) => l.diffId));
    const [a, b] = await Promise.all([engine.getImage(output).inspect(), engine.getImage(again).inspect()]);
    expect(b.RootFS.Layers).toEqual(a.RootFS.Layers);
  });

  it('names the -min image and how many bottom layers are its, for what a node holding -min pulls', async () => {
    const minImage = await engine.getImage(world.releases['24.09']!.min).inspect();
    const minLayers = minImage.RootFS.Layers!;
    // the -min the compose built on, through the world's mirror: the same image
    expect(first.trim.base).toEqual({
      min: expect.stringMatching(/tritonserver:24\.09-py3-min$/),
      layers: minLayers.length,
    });
    expect((await engine.getImage(first.trim.base!.min).inspect()).Id).toBe(minImage.Id);
    expect(first.trim.layers!.slice(0, minLayers.length).map((l) => l.from)).toEqual(minLayers);
    // the removed CUDA libraries live in -min's layers: some of those are rewritten
    expect(first.trim.layers!.slice(0, minLayers.length).some((l) => l.diffId !== l.from)).toBe(true);
  });

  it('--keep keeps a file the trim would drop', async () => {
    const dropped = first.trim.largest.find((f) => f.path.includes('libnppif.so'))?.path;
    expect(dropped).toBeDefined();
    const out = `tslim-test/trim-keep:${id}`;
    const result = await compose(out, ['--trim', '--keep', 'libnppif.so*', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(await exists(out, dropped!)).toBe(true);
    expect(await exists(output, dropped!)).toBe(false);
  });

  it('--trim=report prints what would go and writes nothing', async () => {
    const before = await trimmedImages();
    const out = `tslim-test/trim-report:${id}`;
    const result = await compose(out, ['--trim=report']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/would go/);
    expect(result.stdout).toMatch(/static-archive/);
    expect(await trimmedImages()).toEqual(before);
    await expect(engine.getImage(`${out}-untrimmed`).inspect()).rejects.toThrow();
    expect((await engine.getImage(out).inspect()).Config.Labels[TRIM_LABEL]).toBeUndefined();
  });

  it.each([
    ['rewriting the layers', /trim: writing the trimmed image/],
    ['loading the image', /trim: loading the trimmed image/],
  ])('Ctrl-C while %s leaves nothing behind', async (phase, waitFor) => {
    const before = await trimmedImages();
    const containersBefore = new Set(
      (await engine.listContainers({ all: true, filters: { label: [RUN_LABEL] } })).map((c) => c.Id),
    );
    const out = `tslim-test/trim-int-${phase.split(' ')[0]}:${id}`;
    made.push(out, `${out}-untrimmed`);
    const cli = spawnCli(['compose', ...worldArgs, '--output-name', out, '--work-dir', dir, '--trim'], {
      env,
      cwd: dir,
    });
    await cli.waitFor(waitFor);
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code, result.stderr).toBe(130);
    // the engine is shared with other runs: only containers made since this test began count
    const ours = async () =>
      (await engine.listContainers({ all: true, filters: { label: [RUN_LABEL] } })).filter(
        (c) => !containersBefore.has(c.Id),
      );
    let left = await ours();
    for (let i = 0; i < 40 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      left = await ours();
    }
    expect(left.map((c) => c.Names)).toEqual([]);
    expect(await trimmedImages()).toEqual(before);
  });
});
