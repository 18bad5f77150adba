import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunId, RUN_LABEL } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { followStream } from '../../src/docker/json-stream.js';
import type { UserVerifyReport } from '../../src/verify/user-verify.js';
import { buildContext } from '../world/build-context.js';
import { repoRoot } from '../world/paths.js';
import { readWorld } from '../world/read-world.js';
import { removeByLabel } from '../support/tiny-image.js';
import { runCli } from '../support/run-cli.js';

// The user's own model repository on a slim image, alone and A/B against the full image.
const world = readWorld();
const engine = connectEngine();
const runId = `test-verify-user-${newRunId()}`;
const release = world.releases['24.09']!;
const slim = `tslim-test/verify-user-slim:${runId}`;
const drifted = `tslim-test/verify-user-drifted:${runId}`;
const fixtures = join(repoRoot, 'test', 'fixtures', 'user-models');
const repo = join(fixtures, 'onnx-python');
let withPytorch: string;

async function build(tag: string, dockerfile: string): Promise<void> {
  const stream = await engine.buildImage(buildContext([{ name: 'Dockerfile', content: dockerfile }]), {
    t: tag,
    labels: { [RUN_LABEL]: runId },
    networkmode: 'host',
    rm: true,
    forcerm: true,
  });
  await followStream(stream, { what: `build of ${tag}` });
}

async function tslimContainers(): Promise<number> {
  const list = await engine.listContainers({ all: true, filters: { label: [RUN_LABEL] } });
  return list.filter((c) => [slim, drifted, release.full].includes(c.Image)).length;
}

beforeAll(async () => {
  // a slim stand-in: the full fixture less every backend but onnxruntime and python
  await build(
    slim,
    `FROM ${release.full}\nRUN cd /opt/tritonserver/backends && for d in *; do case $d in onnxruntime|python) ;; *) rm -rf $d;; esac; done\nLABEL dev.tslim.backends=onnxruntime,python\n`,
  );
  // the same slim image with another onnxruntime backend build (its library's bytes differ)
  await build(
    drifted,
    `FROM ${slim}\nRUN printf 'another build' >> /opt/tritonserver/backends/onnxruntime/libtriton_onnxruntime.so\n`,
  );
  withPytorch = await mkdtemp(join(tmpdir(), 'tslim-user-repo-'));
  await cp(repo, withPytorch, { recursive: true });
  await cp(join(fixtures, 'extra', 'asr_encoder'), join(withPytorch, 'asr_encoder'), { recursive: true });
});

afterAll(async () => {
  await rm(withPytorch, { recursive: true, force: true });
  await removeByLabel(engine, runId);
});

function report(stdout: string): UserVerifyReport {
  return (JSON.parse(stdout) as { verify: UserVerifyReport }).verify;
}

describe('verify --model-repository (the user models)', () => {
  it('onnx + python + BYTES + ensemble models verify on the slim image and A/B-match the full image', async () => {
    const r = await runCli([
      'verify',
      slim,
      '--model-repository',
      repo,
      '--against',
      release.full,
      '--gpus',
      'none',
      '--json',
    ]);
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    const v = report(r.stdout);
    expect(v.models.map((m) => [m.model, m.slim.state, m.full?.state])).toEqual([
      ['onnx_fp16', 'READY', 'READY'],
      ['py_postproc', 'READY', 'READY'],
      ['pipeline', 'READY', 'READY'],
      ['text_bytes', 'READY', 'READY'],
    ]);
    const outputs = v.models.flatMap((m) => m.outputs.map((o) => `${m.model}.${o.output}:${o.rule}:${o.equal}`));
    expect(outputs).toEqual([
      'onnx_fp16.features:tolerance:true',
      'onnx_fp16.frames:exact:true',
      'py_postproc.scores:tolerance:true',
      'pipeline.SCORES:tolerance:true',
      'text_bytes.tokens:exact:true',
    ]);
    expect(v.models.find((m) => m.model === 'onnx_fp16')?.slim.instanceKinds).toEqual(['KIND_CPU']);
    expect(await tslimContainers()).toBe(0);
  });

  it('a pytorch model fails, naming the model and the backend the slim image dropped', async () => {
    const r = await runCli([
      'verify',
      slim,
      '--model-repository',
      withPytorch,
      '--against',
      release.full,
      '--gpus',
      'none',
    ]);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('error: your model `asr_encoder` needs backend `pytorch`, which the slim image dropped');
    expect(r.stdout).toMatch(/FAIL\s+asr_encoder\s+pytorch/);
    expect(await tslimContainers()).toBe(0);
  });

  it('an image whose onnxruntime backend differs fails A/B naming the output and the max difference', async () => {
    const r = await runCli([
      'verify',
      drifted,
      '--model-repository',
      repo,
      '--model',
      'onnx_fp16',
      '--against',
      slim,
      '--gpus',
      'none',
      '--json',
    ]);
    expect(r.code).toBe(8);
    const v = report(r.stdout);
    const diff = v.models[0]!.outputs.find((o) => o.output === 'features')!;
    expect(diff.equal).toBe(false);
    expect(diff.maxAbsDiff).toBeGreaterThan(0);
    expect(v.models[0]!.problem).toMatch(
      /your model `onnx_fp16` answers differently: output `features` max abs diff [0-9.e+-]+/,
    );
    expect(await tslimContainers()).toBe(0);
  });

  it('--inputs replaces the generated request of the models it names; --markdown prints a table', async () => {
    const r = await runCli([
      'verify',
      slim,
      '--model-repository',
      repo,
      '--model',
      'text_bytes',
      '--model',
      'onnx_fp16',
      '--shape',
      'audio=6',
      '--inputs',
      join(fixtures, 'inputs.json'),
      '--against',
      release.full,
      '--gpus',
      'none',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const v = report(r.stdout);
    expect(v.models.find((m) => m.model === 'text_bytes')?.outputs.map((o) => o.request)).toEqual([
      'tslim-text_bytes-0',
    ]);
    expect(v.models.find((m) => m.model === 'onnx_fp16')?.outputs.map((o) => o.request)).toEqual([
      'tslim-onnx_fp16-b1',
      'tslim-onnx_fp16-b1',
    ]);
    const md = await runCli([
      'verify',
      slim,
      '--model-repository',
      repo,
      '--model',
      'text_bytes',
      '--gpus',
      'none',
      '--markdown',
    ]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('| ok | text_bytes | python |');
  });

  it('bad repositories, inputs and shapes exit 2 naming the value, before any container', async () => {
    const bad = join(withPytorch, 'broken.json');
    await writeFile(bad, '{"onnx_fp16": {"inputs": [ }');
    const cases: [string[], RegExp][] = [
      [['--model-repository', join(fixtures, 'not-a-repo')], /not-a-repo is not a Triton model repository/],
      [['--model-repository', join(fixtures, 'nowhere')], /--model-repository .*nowhere: no such directory/],
      [['--model-repository', repo, '--model', 'nope'], /--model nope: no such model in the repository/],
      [['--model-repository', repo, '--inputs', bad], /--inputs .*broken.json: /],
      [['--model-repository', repo, '--shape', 'audio=0'], /--shape audio=0: every dim must be at least 1/],
      [
        ['--model-repository', repo, '--model', 'onnx_fp16', '--shape', 'lengths=3'],
        /--shape lengths=3: model 'onnx_fp16' input 'lengths' has dims \[2\]/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['verify', slim, ...args, '--gpus', 'none']);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect(await tslimContainers()).toBe(0);
  });
});
