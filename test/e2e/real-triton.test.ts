import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LABEL } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { followStream } from '../../src/docker/json-stream.js';
import type { UserVerifyReport } from '../../src/verify/user-verify.js';
import { buildContext } from '../world/build-context.js';
import { repoRoot } from '../world/paths.js';
import { readWorld } from '../world/read-world.js';
import { runCli } from '../support/run-cli.js';
import { runInImage } from '../support/run-in-image.js';
import { realComposeFlags } from '../support/world-flags.js';
import { removeImageRefs } from '../support/tiny-image.js';

// tslim against a real Triton server: 24.09 (v2.50.0) built from NVIDIA's sources by the world
// (test/world/real/Dockerfile), with the real python, onnxruntime and identity backends.
const world = readWorld();
const real = world.real;
if (!real) throw new Error('world.json has no "real" pair: run `npm run world` without TSLIM_WORLD_REAL=0');
const engine = connectEngine();
const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const runId = `real-triton-${id}`;
const env = { DOCKER_CONFIG: world.registry.dockerConfig };
const realFlags = ['--version', '24.09', ...realComposeFlags(real), '--backend', 'onnxruntime', '--backend', 'python'];
const userRepo = join(repoRoot, 'test', 'fixtures', 'user-models', 'onnx-python');
const slim = `tslim-test/real-slim:${id}`;
const trimmed = `tslim-test/real-trim:${id}`;
const made = [slim, trimmed, `${trimmed}-untrimmed`];
let dir = '';

interface ComposeJson {
  verify?: { ok: boolean; results: { backend: string; status: string }[] };
  image: { id: string; tag: string };
  trim?: {
    trimmed: { id: string; bytes: number } | null;
    untrimmed: { id: string; bytes: number };
    removedBytes: number;
    keptForDlopen: { path: string; entry: string }[];
    largest: { path: string; bytes: number }[];
  };
}

function userReport(stdout: string): UserVerifyReport {
  return (JSON.parse(stdout) as { verify: UserVerifyReport }).verify;
}

function runIn(image: string, cmd: string[]): Promise<string> {
  return runInImage(engine, image, cmd, runId, 5000);
}

async function build(tag: string, dockerfile: string): Promise<void> {
  made.push(tag);
  const stream = await engine.buildImage(buildContext([{ name: 'Dockerfile', content: dockerfile }]), {
    t: tag,
    labels: { [RUN_LABEL]: runId },
    networkmode: 'none',
    rm: true,
    forcerm: true,
  });
  await followStream(stream, { what: `build of ${tag}` });
}

/** A copy of the user repository plus extra models (name -> files), in a temp dir. */
async function repoWith(extra: Record<string, Record<string, string>>, base = userRepo): Promise<string> {
  const out = await mkdtemp(join(dir, 'repo-'));
  await cp(base, out, { recursive: true });
  for (const [model, files] of Object.entries(extra))
    for (const [file, content] of Object.entries(files)) {
      const path = join(out, model, file);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
    }
  return out;
}

let composed: ComposeJson;
let trim: ComposeJson;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tslim-real-'));
  const r = await runCli(
    ['compose', ...realFlags, '--output-name', slim, '--work-dir', dir, '--verify', '--gpus', 'none', '--json'],
    { env, cwd: dir },
  );
  expect(r.code, r.stderr).toBe(0);
  composed = JSON.parse(r.stdout) as ComposeJson;
  const t = await runCli(
    ['compose', ...realFlags, '--output-name', trimmed, '--work-dir', dir, '--trim', '--gpus', 'none', '--json'],
    { env, cwd: dir },
  );
  expect(t.code, t.stderr).toBe(0);
  trim = JSON.parse(t.stdout) as ComposeJson;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await removeImageRefs(engine, made);
});

describe('the real Triton pair (v2.50.0 from NVIDIA sources)', () => {
  it('tslim inspect reads the real full image: version, backends, sizes', async () => {
    const r = await runCli(['inspect', real.full, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const facts = JSON.parse(r.stdout) as Record<string, unknown>;
    const text = JSON.stringify(facts);
    expect(text).toContain('"2.50.0"');
    for (const b of ['identity', 'onnxruntime', 'python']) expect(text).toContain(`"${b}"`);
  });

  it('compose --backend onnxruntime --backend python builds on the real -min and verify passes the shipped samples', () => {
    expect(composed.verify?.ok).toBe(true);
    expect(composed.verify?.results.map((b) => [b.backend, b.status]).sort()).toEqual([
      ['onnxruntime', 'passed'],
      ['python', 'passed'],
    ]);
  });

  it('the user repository (FP16/INT64/-1 ONNX, python, BYTES python, ensemble) loads, answers and A/B-matches the real full image', async () => {
    const r = await runCli(
      ['verify', slim, '--model-repository', userRepo, '--against', real.full, '--gpus', 'none', '--json'],
      { env, cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const v = userReport(r.stdout);
    expect(v.models.map((m) => [m.model, m.slim.state, m.full?.state])).toEqual([
      ['onnx_fp16', 'READY', 'READY'],
      ['py_postproc', 'READY', 'READY'],
      ['pipeline', 'READY', 'READY'],
      ['text_bytes', 'READY', 'READY'],
    ]);
    expect(v.models.flatMap((m) => m.outputs.map((o) => `${m.model}.${o.output}:${o.equal}`))).toEqual([
      'onnx_fp16.features:true',
      'onnx_fp16.frames:true',
      'py_postproc.scores:true',
      'pipeline.SCORES:true',
      'text_bytes.tokens:true',
    ]);
  });
});

describe('--trim on the real pair', () => {
  it('trims by the real closure of libtritonserver, the python stub and onnxruntime', async () => {
    const t = trim.trim!;
    expect(t.trimmed).not.toBeNull();
    expect(t.removedBytes).toBeGreaterThan(0);
    const removed = t.largest.map((f) => f.path);
    // what no kept ELF file needs goes: the build tools and libraries the real binaries never load
    expect(removed.length).toBeGreaterThan(0);
    for (const keep of [
      '/opt/tritonserver/lib/libtritonserver.so',
      '/opt/tritonserver/backends/python/triton_python_backend_stub',
      '/opt/tritonserver/backends/onnxruntime/libonnxruntime.so.1',
    ])
      expect(removed).not.toContain(keep);
    // the closure reaches Debian's shared libraries through the real DT_NEEDED chains: protobuf and
    // re2 (libtritonserver.so), gRPC (tritonserver), libpython and libarchive (the python stub)
    const present = await runIn(trimmed, [
      'python3',
      '-c',
      "import glob; print(sorted(p.rsplit('/', 1)[1] for p in glob.glob('/usr/lib/x86_64-linux-gnu/lib*.so.*')))",
    ]);
    for (const lib of [
      'libprotobuf.so.32',
      'libre2.so.9',
      'libgrpc++.so.1.51',
      'libpython3.11.so.1.0',
      'libarchive.so.13',
    ])
      expect(present, lib).toContain(`'${lib}`);
  });

  it('every kept ELF file resolves with the real ld.so, and the trimmed image serves the user repository', async () => {
    const script = [
      'import os, subprocess',
      'bad = []; n = 0',
      "for root, dirs, files in os.walk('/'):",
      "    if root.startswith(('/proc', '/sys', '/dev')): continue",
      '    for f in files:',
      '        p = os.path.join(root, f)',
      '        if os.path.islink(p) or not os.path.isfile(p): continue',
      '        try:',
      "            with open(p, 'rb') as fh: head = fh.read(18)",
      '        except OSError: continue',
      "        if head[:4] != b'\\x7fELF' or head[16] not in (2, 3): continue",
      '        n += 1',
      "        out = subprocess.run(['/lib64/ld-linux-x86-64.so.2', '--list', p], capture_output=True, text=True).stdout",
      "        bad += [p + ': ' + l.strip() for l in out.splitlines() if 'not found' in l]",
      "print('ELF', n); print('\\n'.join(bad) or 'ALL RESOLVED')",
    ].join('\n');
    const out = await runIn(trimmed, ['python3', '-c', script]);
    expect(out).toMatch(/ELF [1-9]\d*/);
    expect(out).toContain('ALL RESOLVED');
    const r = await runCli(['verify', trimmed, '--model-repository', userRepo, '--gpus', 'none', '--json'], {
      env,
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(userReport(r.stdout).models.every((m) => m.slim.state === 'READY')).toBe(true);
  });
});

describe('failures on the real server, in its own words', () => {
  it('a model whose backend the slim image dropped', async () => {
    const repo = await repoWith({
      echo: {
        'config.pbtxt':
          'backend: "identity"\nmax_batch_size: 0\ninput [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ 4 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 4 ] } ]\n',
        '1/.keep': '',
      },
    });
    const r = await runCli(['verify', slim, '--model-repository', repo, '--model', 'echo', '--gpus', 'none'], {
      env,
      cwd: dir,
    });
    expect(r.code).toBe(8);
    expect(r.stdout + r.stderr).toMatch(/unable to find backend library for backend 'identity'/);
  });

  it('a python model whose initialize raises', async () => {
    const repo = await repoWith({
      broken_init: {
        'config.pbtxt': await readFile(join(userRepo, 'py_postproc', 'config.pbtxt'), 'utf8'),
        '1/model.py':
          'class TritonPythonModel:\n    def initialize(self, args):\n        raise RuntimeError("tslim-test: initialize refused on purpose")\n\n    def execute(self, requests):\n        return []\n',
      },
    });
    const r = await runCli(['verify', slim, '--model-repository', repo, '--model', 'broken_init', '--gpus', 'none'], {
      env,
      cwd: dir,
    });
    expect(r.code).toBe(8);
    expect(r.stdout + r.stderr).toMatch(/RuntimeError: tslim-test: initialize refused on purpose/);
  });

  it('a config whose dims contradict the ONNX model', async () => {
    const config = (await readFile(join(userRepo, 'onnx_fp16', 'config.pbtxt'), 'utf8')).replace(
      '{ name: "lengths" data_type: TYPE_INT64 dims: [ 2 ] }',
      '{ name: "lengths" data_type: TYPE_INT64 dims: [ 3 ] }',
    );
    const repo = await repoWith({ onnx_fp16: { 'config.pbtxt': config } });
    const r = await runCli(['verify', slim, '--model-repository', repo, '--model', 'onnx_fp16', '--gpus', 'none'], {
      env,
      cwd: dir,
    });
    expect(r.code).toBe(8);
    expect(r.stdout + r.stderr).toMatch(/model 'onnx_fp16', tensor 'lengths': the model expects/);
  });

  it('a library removed by hand from the trimmed image', async () => {
    const broken = `tslim-test/real-trim-broken:${id}`;
    await build(broken, `FROM ${trimmed}\nRUN rm -f /opt/tritonserver/backends/onnxruntime/libonnxruntime.so.1\n`);
    const r = await runCli(['verify', broken, '--backend', 'onnxruntime', '--gpus', 'none'], { env, cwd: dir });
    expect(r.code).toBe(8);
    expect(r.stdout + r.stderr).toMatch(/libonnxruntime\.so\.1: cannot open shared object file/);
  });
});
