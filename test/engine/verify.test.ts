import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunId, RUN_LABEL } from '../../src/core/labels.js';
import { silentLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { connectEngine } from '../../src/docker/engine.js';
import { sweepContainers } from '../../src/docker/containers.js';
import { followStream } from '../../src/docker/json-stream.js';
import { BACKENDS_LABEL } from '../../src/verify/backends.js';
import { parseGpus } from '../../src/verify/gpu-request.js';
import { verifyFailure } from '../../src/verify/outcome.js';
import { DEFAULT_SOAK } from '../../src/verify/soak.js';
import { resolveTrtBuilder } from '../../src/verify/trt-plan.js';
import { verifyImage, type VerifyOptions } from '../../src/verify/verify.js';
import { buildContext } from '../world/build-context.js';
import { readWorld } from '../world/read-world.js';
import { removeByLabel } from '../support/tiny-image.js';

/**
 * The world's engine has no GPU runtime and its tritonserver is the protocol double. Images here are
 * the fixture full image with labels (and one backend removed), built per run and removed after.
 */
const world = readWorld();
const engine = connectEngine();
const runId = `test-verify-${newRunId()}`;
const release = Object.values(world.releases)[0]!;
const allFour = `tslim-test/verify-all:${runId}`;
const noOrt = `tslim-test/verify-no-ort:${runId}`;
let tmp: string;
let placeholderPlan: string;

const deps = (signal = new AbortController().signal) => ({
  engine,
  log: silentLogger,
  progress: silentProgress,
  signal,
  runId,
});
const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({
  gpus: parseGpus('none'),
  gpuDriver: 'nvidia',
  timeoutMs: 60_000,
  shmSizeBytes: 256 * 2 ** 20,
  ...over,
});

async function build(tag: string, lines: string[]): Promise<void> {
  const dockerfile = [`FROM ${release.full}`, ...lines, `LABEL ${RUN_LABEL}=${runId}`, ''].join('\n');
  const stream = await engine.buildImage(buildContext([{ name: 'Dockerfile', content: dockerfile }]), {
    t: tag,
    labels: { [RUN_LABEL]: runId },
    rm: true,
    forcerm: true,
  });
  await followStream(stream, { what: `build of ${tag}` });
}

async function leftovers(): Promise<number> {
  return (await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } })).length;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tslim-verify-test-'));
  // The double loads any model.plan; a real server would need a plan built for its GPU.
  placeholderPlan = join(tmp, 'placeholder.plan');
  await writeFile(placeholderPlan, 'placeholder plan for the protocol double');
  await build(allFour, [`LABEL ${BACKENDS_LABEL}=onnxruntime,python,pytorch,tensorrt`]);
  await build(noOrt, [
    'RUN rm -rf /opt/tritonserver/backends/onnxruntime',
    `LABEL ${BACKENDS_LABEL}=onnxruntime,python,pytorch`,
  ]);
});

afterAll(async () => {
  await sweepContainers(engine, runId);
  await removeByLabel(engine, runId);
  await rm(tmp, { recursive: true, force: true });
});

describe('tslim verify against the world engine', () => {
  it('a slim image with all four backends verifies (labels; tensorrt with a placeholder plan on a pretend GPU)', async () => {
    const report = await verifyImage(
      allFour,
      options({ trtPlan: placeholderPlan, env: { TRITON_DOUBLE_FAKE_GPUS: '1' } }),
      deps(),
    );
    expect(report.backendSource).toBe('label');
    expect(report.results.map((r) => [r.backend, r.status, r.instanceKind])).toEqual([
      ['onnxruntime', 'passed', 'KIND_CPU'],
      ['python', 'passed', 'KIND_CPU'],
      ['pytorch', 'passed', 'KIND_CPU'],
      ['tensorrt', 'passed', 'KIND_GPU'],
    ]);
    expect(report.ok).toBe(true);
    expect(verifyFailure(report)).toBeUndefined();
    expect(await leftovers()).toBe(0);
  });

  it('an image missing a kept backend fails naming it and the server reason', async () => {
    const report = await verifyImage(noOrt, options(), deps());
    expect(report.ok).toBe(false);
    const ort = report.results.find((r) => r.backend === 'onnxruntime');
    expect(ort).toMatchObject({ status: 'failed', state: 'UNAVAILABLE', gpuVisibility: false });
    expect(ort?.reason).toContain("unable to find backend library for backend 'onnxruntime'");
    expect(report.results.filter((r) => r.status === 'passed').map((r) => r.backend)).toEqual(['python', 'pytorch']);
    expect(report.serverLogTail).toContain('failed to load');
    const error = verifyFailure(report);
    expect(error).toMatchObject({ code: 'VERIFY_FAILED', exitCode: 8 });
    expect(error?.message).toMatch(
      /failed to serve onnxruntime: onnxruntime: UNAVAILABLE: Invalid argument: unable to find backend library for backend 'onnxruntime'/,
    );
    expect(await leftovers()).toBe(0);
  });

  it('--gpus all on an engine without a GPU runtime is a clear GPU error, and leaves no container', async () => {
    await expect(
      verifyImage(allFour, options({ gpus: parseGpus('all'), backends: ['onnxruntime'] }), deps()),
    ).rejects.toMatchObject({
      code: 'GPU_UNAVAILABLE',
      exitCode: 9,
      message: expect.stringContaining('the engine cannot give the container all GPUs'),
      hint: expect.stringContaining('--gpus none'),
    });
    expect(await leftovers()).toBe(0);
  });

  it('a KIND_GPU model in a container that sees no GPU is a GPU-visibility problem of the run, not a broken backend', async () => {
    const report = await verifyImage(
      allFour,
      options({ backends: ['onnxruntime', 'tensorrt'], trtPlan: placeholderPlan }),
      deps(),
    );
    const trt = report.results.find((r) => r.backend === 'tensorrt');
    expect(trt).toMatchObject({ status: 'failed', gpuVisibility: true });
    expect(trt?.reason).toContain('no GPUs are available');
    expect(report.results.find((r) => r.backend === 'onnxruntime')?.status).toBe('passed');
    expect(report.gpuProblem).toContain('the server saw no GPU');
    expect(verifyFailure(report)).toMatchObject({
      code: 'GPU_UNAVAILABLE',
      exitCode: 9,
      hint: expect.stringContaining('not the image'),
    });
  });

  it('tensorrt without a builder: a clear error naming what was looked for', async () => {
    await expect(resolveTrtBuilder(engine, release.full, {}, undefined, runId)).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: `no TensorRT builder found: ${release.full} has no /usr/src/tensorrt/bin/trtexec, and no --trt-builder was given`,
    });
    await expect(resolveTrtBuilder(engine, release.full, {}, 'tslim-test/no-such-builder:1', runId)).rejects.toThrow(
      /is not in the engine/,
    );
    expect(await leftovers()).toBe(0);
  });

  it('soak fails against the double in leak mode and passes in normal mode', async () => {
    const soak = { ...DEFAULT_SOAK };
    const leak = await verifyImage(
      allFour,
      options({ backends: ['onnxruntime'], soak, env: { TRITON_DOUBLE_LEAK: '1' } }),
      deps(),
    );
    expect(leak.soak?.ok).toBe(false);
    expect(leak.soak?.series).toHaveLength(DEFAULT_SOAK.rounds * DEFAULT_SOAK.batches.length);
    expect(leak.soak?.growthBytes).toBeGreaterThan(DEFAULT_SOAK.thresholdBytes);
    expect(verifyFailure(leak)?.message).toMatch(/^soak: GPU memory grew by/);
    const normal = await verifyImage(allFour, options({ backends: ['onnxruntime'], soak }), deps());
    expect(normal.soak).toMatchObject({ ok: true, growthBytes: 0 });
    expect(normal.ok).toBe(true);
  });

  it('an abort (Ctrl-C) mid-verify leaves no container', async () => {
    const controller = new AbortController();
    const run = verifyImage(
      allFour,
      options({ backends: ['onnxruntime'], soak: { ...DEFAULT_SOAK, rounds: 100_000 } }),
      deps(controller.signal),
    );
    // abort once the server container is running and the soak is under way
    for (let i = 0; i < 200 && (await leftovers()) === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(await leftovers()).toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    controller.abort();
    await expect(run).rejects.toThrow();
    expect(await leftovers()).toBe(0);
  });
});
