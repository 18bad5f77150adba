import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/docker/engine.js';
import { RUN_LABEL } from '../../src/core/labels.js';
import { readWorld } from '../world/read-world.js';
import { repoRoot } from '../world/paths.js';
import { runCli } from '../support/run-cli.js';
import { removeImageRefs } from '../support/tiny-image.js';

// compose --verify --push --report through the built CLI, against the world's registry and repos.
const world = readWorld();
const engine = connectEngine();
const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const env = { DOCKER_CONFIG: world.registry.dockerConfig };
const worldArgs = [
  '--version',
  '24.09',
  '--registry-mirror',
  world.mirror,
  '--cuda-repo',
  world.apt.cudaRepo,
  '--pip-index-url',
  world.pypi.url,
  '--pip-trusted-host',
  world.pypi.trustedHost,
];
const made: string[] = [];
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tslim-pipeline-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await removeImageRefs(engine, made);
});

async function tagExists(repository: string, tag: string): Promise<boolean> {
  const user = world.registry.users[0];
  const auth = Buffer.from(`${user?.username}:${user?.password}`).toString('base64');
  const res = await fetch(`http://${world.registry.address}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { authorization: `Basic ${auth}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  return res.status === 200;
}

describe('tslim compose --verify --model-repository (the user models, A/B against the full image)', () => {
  const models = join(repoRoot, 'test', 'fixtures', 'user-models');
  const compose = (output: string, extra: string[]): Promise<Awaited<ReturnType<typeof runCli>>> =>
    runCli(
      [
        'compose',
        '--backend',
        'onnxruntime',
        '--backend',
        'python',
        ...worldArgs,
        '--output-name',
        output,
        '--verify',
        '--gpus',
        'none',
        '--work-dir',
        dir,
        ...extra,
      ],
      { env, cwd: dir },
    );

  it('verifies the user models on the built image and matches the full image', async () => {
    const output = `tslim-test/pipeline-models:${id}`;
    made.push(output);
    const run = await compose(output, ['--model-repository', join(models, 'onnx-python'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { userVerify: { ok: boolean; against: string; models: { model: string }[] } };
    expect(out.userVerify.ok).toBe(true);
    expect(out.userVerify.against).toBe(`${world.registry.address}/nvidia/tritonserver:24.09-py3`);
    expect(out.userVerify.models.map((m) => m.model)).toEqual(['onnx_fp16', 'py_postproc', 'pipeline', 'text_bytes']);
  });

  it('a model that needs a dropped backend fails compose before --push, naming both', async () => {
    const output = `tslim-test/pipeline-models-bad:${id}`;
    const target = `${world.registry.address}/tslim-test/pipeline-models-bad:${id}`;
    made.push(output, target);
    const run = await compose(output, [
      '--model-repository',
      join(models, 'onnx-python'),
      '--model-repository',
      join(models, 'extra'),
      '--push',
      target,
    ]);
    expect(run.code).toBe(8);
    expect(run.stderr).toContain('your model `asr_encoder` needs backend `pytorch`, which the slim image dropped');
    expect(await tagExists('tslim-test/pipeline-models-bad', id)).toBe(false);
  });
});

describe('tslim compose --verify --push --report', () => {
  it('builds, verifies every kept backend, pushes with a confirmed digest and reports sizes', async () => {
    const output = `tslim-test/pipeline:${id}`;
    const target = `${world.registry.address}/tslim-test/pipeline:${id}`;
    made.push(output, target);
    const run = await runCli(
      [
        'compose',
        '--backend',
        'onnxruntime',
        '--backend',
        'python',
        ...worldArgs,
        '--output-name',
        output,
        '--verify',
        '--gpus',
        'none',
        '--push',
        target,
        '--report',
        '--json',
        '--work-dir',
        dir,
      ],
      { env, cwd: dir },
    );
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as {
      ok: boolean;
      image: { tag: string };
      verify: { ok: boolean; results: { backend: string; status: string }[] };
      push: { ref: string; digest: string };
      report: { components: unknown } & Record<string, unknown>;
    };
    expect(out.ok).toBe(true);
    expect(await readFile(join(dir, 'Dockerfile.compose'), 'utf8')).toContain(
      'dev.tslim.backends="onnxruntime,python"',
    );
    expect(out.verify.ok).toBe(true);
    expect(out.verify.results.map((r) => [r.backend, r.status]).sort()).toEqual([
      ['onnxruntime', 'passed'],
      ['python', 'passed'],
    ]);
    expect(out.push.ref).toBe(target);
    expect(out.push.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await tagExists('tslim-test/pipeline', id)).toBe(true);
    expect(JSON.stringify(out.report)).toContain('pytorch');
    const left = await engine.listContainers({ all: true, filters: { label: [RUN_LABEL] } });
    expect(left.filter((c) => c.Image.includes(id))).toHaveLength(0);
  });

  it('does not push when verify fails (no GPU runtime for --gpus all)', async () => {
    const output = `tslim-test/pipeline-fail:${id}`;
    const target = `${world.registry.address}/tslim-test/pipeline-fail:${id}`;
    made.push(output);
    const run = await runCli(
      [
        'compose',
        '--backend',
        'onnxruntime',
        ...worldArgs,
        '--output-name',
        output,
        '--verify',
        '--gpus',
        'all',
        '--push',
        target,
        '--work-dir',
        dir,
      ],
      { env, cwd: dir },
    );
    expect(run.code).toBe(9);
    expect(run.stderr).toMatch(/GPU/);
    expect(await tagExists('tslim-test/pipeline-fail', id)).toBe(false);
  });

  it('refuses --verify/--push/--report with --dry-run before doing anything', async () => {
    const run = await runCli([
      'compose',
      '--backend',
      'onnxruntime',
      '--version',
      '24.09',
      '--dry-run',
      '--offline',
      '--push',
      'x.example/a:b',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('need a build');
    expect(run.stdout).toBe('');
  });
});
