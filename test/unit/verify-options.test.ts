import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toVerifyOptions } from '../../src/cli/verify-options.js';
import { explicitBackends, fromHeld } from '../../src/verify/backends.js';
import { formatReport, verifyFailure } from '../../src/verify/outcome.js';
import { renderConfig, writeSampleRepository } from '../../src/verify/sample-repository.js';
import { trtexecArgs } from '../../src/verify/trt-plan.js';
import { resolveTrtBuilder } from '../../src/verify/trt-plan.js';
import type { VerifyReport } from '../../src/verify/verify.js';

const base = {
  gpus: 'all',
  gpuDriver: 'nvidia' as const,
  soakBatches: '16,7',
  soakRounds: '20',
  soakWarmup: '2',
  soakThreshold: '64MiB',
  timeout: '180',
  shmSize: '256MiB',
};

describe('verify options', () => {
  it('validates once and converts sizes, seconds, env and soak settings', () => {
    const o = toVerifyOptions({
      ...base,
      soak: true,
      soakBatches: '8, 3',
      env: ['TRITON_DOUBLE_LEAK=1', 'X=a=b'],
      backend: ['onnxruntime'],
    });
    expect(o).toMatchObject({
      backends: ['onnxruntime'],
      gpus: { kind: 'all' },
      timeoutMs: 180_000,
      shmSizeBytes: 256 * 2 ** 20,
      env: { TRITON_DOUBLE_LEAK: '1', X: 'a=b' },
    });
    expect(o.soak).toEqual({ batches: [8, 3], rounds: 20, warmupRounds: 2, thresholdBytes: 64 * 2 ** 20 });
    expect(toVerifyOptions(base).soak).toBeUndefined();
  });
  it('rejects bad input with usage errors that name the value', () => {
    expect(() => toVerifyOptions({ ...base, backend: ['onnx'] })).toThrow(
      "no sample model for backend 'onnx'; tslim has samples for: onnxruntime, python, pytorch, tensorrt",
    );
    expect(() => toVerifyOptions({ ...base, soak: true, soakBatches: '16,64' })).toThrow(
      /--soak-batches must be an integer 1..32, got '64'/,
    );
    expect(() => toVerifyOptions({ ...base, soak: true, soakWarmup: '20' })).toThrow(/fewer than --soak-rounds/);
    expect(() => toVerifyOptions({ ...base, soakThreshold: 'lots', soak: true })).toThrow(
      /cannot read 'lots' as a size/,
    );
    expect(() => toVerifyOptions({ ...base, env: ['NOEQUALS'] })).toThrow(/KEY=VALUE/);
    expect(() => toVerifyOptions({ ...base, gpus: 'many' })).toThrow(/invalid --gpus/);
    expect(() => toVerifyOptions({ ...base, trtPlan: '/nonexistent/x.plan' })).toThrow(/no such file/);
  });
});

describe('backend selection', () => {
  it('keeps sample backends in a fixed order and lists the rest', () => {
    expect(fromHeld(['python', 'dali', 'onnxruntime', 'fil', 'python'], 'label')).toEqual({
      backends: ['onnxruntime', 'python'],
      withoutSample: ['dali', 'fil'],
      source: 'label',
    });
    expect(explicitBackends(['tensorrt', 'tensorrt']).backends).toEqual(['tensorrt']);
  });
});

describe('sample repository', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  it('renders configs with the chosen instance kind; tensorrt stays on KIND_GPU; pytorch gets the parameter', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tslim-unit-repo-'));
    const models = await writeSampleRepository(dir, {
      backends: ['onnxruntime', 'python', 'pytorch', 'tensorrt'],
      instanceKind: 'KIND_CPU',
      pytorchDisableOptimizedExecution: true,
    });
    expect(models.map((m) => [m.name, m.instanceKind])).toEqual([
      ['tslim_onnxruntime', 'KIND_CPU'],
      ['tslim_python', 'KIND_CPU'],
      ['tslim_pytorch', 'KIND_CPU'],
      ['tslim_tensorrt', 'KIND_GPU'],
    ]);
    const onnx = await readFile(join(dir, 'tslim_onnxruntime', 'config.pbtxt'), 'utf8');
    expect(onnx).toContain('name: "tslim_onnxruntime"');
    expect(onnx).toContain('platform: "onnxruntime_onnx"');
    expect(onnx).toContain('max_batch_size: 32');
    expect(onnx).toContain('kind: KIND_CPU');
    expect(onnx).not.toContain('parameters');
    const pt = await readFile(join(dir, 'tslim_pytorch', 'config.pbtxt'), 'utf8');
    expect(pt).toContain('parameters: { key: "DISABLE_OPTIMIZED_EXECUTION" value: { string_value: "true" } }');
    expect(await readFile(join(dir, 'tslim_tensorrt', 'config.pbtxt'), 'utf8')).toContain('kind: KIND_GPU');
    expect(await readFile(join(dir, 'tslim_python', 'config.pbtxt'), 'utf8')).toContain('backend: "python"');
    expect(await readdir(join(dir, 'tslim_onnxruntime', '1'))).toEqual(['model.onnx']);
    expect(await readdir(join(dir, 'tslim_tensorrt', '1'))).toEqual([]); // the plan is built per run
    expect((await stat(dir)).mode & 0o777).toBe(0o755);
    expect((await stat(join(dir, 'tslim_pytorch', '1', 'model.pt'))).mode & 0o777).toBe(0o644);
  });
  it('fails rendering a template with a missing value instead of printing nothing', () => {
    expect(() =>
      renderConfig('name: "{{nme}}"', '', { name: 'x', instanceKind: 'KIND_GPU', maxBatchSize: 1, parameters: {} }),
    ).toThrow(/nme/);
  });
});

describe('TensorRT builder', () => {
  it('asks trtexec for a dynamic batch profile 1..max', () => {
    expect(trtexecArgs('/w/model.onnx', '/w/model.plan', 32)).toEqual([
      '--onnx=/w/model.onnx',
      '--saveEngine=/w/model.plan',
      '--minShapes=INPUT0:1x4,INPUT1:1x4',
      '--optShapes=INPUT0:16x4,INPUT1:16x4',
      '--maxShapes=INPUT0:32x4,INPUT1:32x4',
    ]);
  });
  it('refuses a --trt-builder path that is not an executable, with a clear error', async () => {
    const engine = undefined as never; // a path builder never touches the engine
    await expect(resolveTrtBuilder(engine, 'img', {}, '/nonexistent/trtexec', 'r')).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: 'no TensorRT builder found: --trt-builder /nonexistent/trtexec is not an executable file',
      hint: expect.stringContaining('--trt-plan FILE'),
    });
  });
});

describe('verify outcome', () => {
  const report = (over: Partial<VerifyReport>): VerifyReport => ({
    ok: false,
    image: 'img:1',
    gpus: 'all GPUs',
    backendSource: 'label',
    results: [],
    withoutSample: [],
    durationMs: 1,
    ...over,
  });
  it("a GPU-visibility failure is the run's problem (exit 9), not a broken backend", () => {
    const e = verifyFailure(
      report({
        gpuProblem: 'the server saw no GPU',
        results: [{ backend: 'onnxruntime', model: 'm', status: 'failed', gpuVisibility: true }],
      }),
    );
    expect(e).toMatchObject({ code: 'GPU_UNAVAILABLE', exitCode: 9 });
    expect(e?.hint).toMatch(/not the image/);
  });
  it('a broken backend names itself and the reason (exit 8)', () => {
    const e = verifyFailure(
      report({
        results: [
          {
            backend: 'python',
            model: 'tslim_python',
            status: 'failed',
            state: 'UNAVAILABLE',
            message: 'UNAVAILABLE: stub missing',
          },
        ],
      }),
    );
    expect(e).toMatchObject({ code: 'VERIFY_FAILED', exitCode: 8 });
    expect(e?.message).toBe('img:1 failed to serve python: python: UNAVAILABLE: stub missing');
  });
  it('passes clean reports and prints one line per backend', () => {
    const r = report({
      ok: true,
      results: [
        {
          backend: 'onnxruntime',
          model: 'tslim_onnxruntime',
          status: 'passed',
          instanceKind: 'KIND_GPU',
          outputs: [{ name: 'OUTPUT0', ok: true, maxAbsError: 2e-5 }],
        },
        { backend: 'tensorrt', model: 'tslim_tensorrt', status: 'skipped', message: 'needs a GPU' },
      ],
      withoutSample: ['dali'],
    });
    expect(verifyFailure(r)).toBeUndefined();
    expect(formatReport(r)).toBe(
      'verify img:1 (all GPUs; backends from label)\n  ✔ onnxruntime  OUTPUT0 as expected (max abs error 2.0e-5), KIND_GPU\n  - tensorrt     skipped: needs a GPU\n  (no sample model for: dali)\nok\n',
    );
  });
});
