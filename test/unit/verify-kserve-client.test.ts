import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateModels, settledIndex } from '../../src/verify/evaluate.js';
import { sleep } from '../../src/core/abort.js';
import { inferRequest, KServeClient, parseGpuGauge } from '../../src/verify/kserve-client.js';
import { loadCase, writeSampleRepository } from '../../src/verify/sample-repository.js';
import { freePorts } from '../../src/verify/server-runner.js';
import { runSoak } from '../../src/verify/soak.js';

describe('KServe v2 request shapes', () => {
  it('builds the JSON infer body with inputs, requested outputs and an id', () => {
    const body = inferRequest(
      [{ name: 'INPUT0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
      ['OUTPUT0', 'OUTPUT1'],
      'x',
    );
    expect(body).toEqual({
      id: 'x',
      inputs: [{ name: 'INPUT0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
      outputs: [{ name: 'OUTPUT0' }, { name: 'OUTPUT1' }],
    });
    expect(inferRequest([], [])).toEqual({ inputs: [], outputs: [] });
  });
  it('reads per-GPU gauges from Prometheus text and ignores look-alike metrics', () => {
    const text = [
      '# HELP nv_gpu_memory_used_bytes GPU used memory, in bytes',
      'nv_gpu_memory_used_bytes{gpu_uuid="GPU-a"} 268435456',
      'nv_gpu_memory_used_bytes{gpu_uuid="GPU-b"} 1.5e+09',
      'nv_gpu_memory_used_bytes_total{gpu_uuid="GPU-c"} 7',
      'nv_gpu_memory_total_bytes{gpu_uuid="GPU-a"} 17179869184',
    ].join('\n');
    expect([...parseGpuGauge(text)]).toEqual([
      ['GPU-a', 268435456],
      ['GPU-b', 1.5e9],
    ]);
    expect(parseGpuGauge('nv_inference_request_success{model="m"} 3').size).toBe(0);
  });
  it('says false, not throws, while nothing listens', async () => {
    const [port] = await freePorts(1);
    expect(await new KServeClient(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 }).live()).toBe(false);
  });
});

/**
 * The client and the per-model evaluation against the test world's protocol double, run as a plain
 * process (no engine): backends dir with onnxruntime/python/pytorch libraries, tensorrt missing.
 */
describe('client and evaluation against the protocol double', () => {
  let root: string;
  let server: ChildProcess | undefined;
  let client: KServeClient;
  let metricsUrl: string;
  const names = ['tslim_onnxruntime', 'tslim_python', 'tslim_pytorch', 'tslim_tensorrt'];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tslim-unit-double-'));
    for (const b of ['onnxruntime', 'python', 'pytorch']) {
      await mkdir(join(root, 'backends', b), { recursive: true });
      await writeFile(join(root, 'backends', b, `libtriton_${b}.so`), '');
    }
    await writeFile(join(root, 'backends', 'python', 'triton_python_backend_stub'), '');
    await writeFile(join(root, 'placeholder.plan'), 'not a real plan');
    await mkdir(join(root, 'repo'));
    await writeSampleRepository(join(root, 'repo'), {
      backends: ['onnxruntime', 'python', 'pytorch'],
      instanceKind: 'KIND_CPU',
    });
    await writeSampleRepository(join(root, 'repo'), {
      backends: ['tensorrt'],
      instanceKind: 'KIND_CPU',
      trtPlan: join(root, 'placeholder.plan'),
    });
    const [http, metrics] = await freePorts(2);
    server = spawn(
      'python3',
      [
        'test/world/double/tritonserver.py',
        `--model-repository=${join(root, 'repo')}`,
        '--model-control-mode=explicit',
        ...names.map((n) => `--load-model=${n}`),
        '--exit-on-error=false',
        `--http-port=${http}`,
        `--metrics-port=${metrics}`,
        '--allow-grpc=false',
        `--backend-directory=${join(root, 'backends')}`,
      ],
      { stdio: 'ignore', env: { ...process.env, TRITON_DOUBLE_FAKE_GPUS: '' } },
    );
    client = new KServeClient(`http://127.0.0.1:${http}`);
    metricsUrl = `http://127.0.0.1:${metrics}/metrics`;
    for (let i = 0; i < 100 && !(await client.live()); i += 1) await sleep(100);
  }, 30_000);
  afterAll(async () => {
    server?.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('passes the three present backends and fails tensorrt with the server reason (not as a GPU problem)', async () => {
    const index = await settledIndex(client, names, Date.now() + 10_000);
    const results = await evaluateModels(
      client,
      [
        { backend: 'onnxruntime', name: 'tslim_onnxruntime' },
        { backend: 'python', name: 'tslim_python' },
        { backend: 'pytorch', name: 'tslim_pytorch' },
        { backend: 'tensorrt', name: 'tslim_tensorrt' },
      ],
      index,
      await loadCase(),
    );
    expect(results.map((r) => [r.backend, r.status])).toEqual([
      ['onnxruntime', 'passed'],
      ['python', 'passed'],
      ['pytorch', 'passed'],
      ['tensorrt', 'failed'],
    ]);
    const trt = results[3];
    expect(trt?.state).toBe('UNAVAILABLE');
    expect(trt?.reason).toContain("unable to find backend library for backend 'tensorrt'");
    expect(trt?.gpuVisibility).toBe(false);
    expect(results[0]?.outputs?.every((o) => o.ok && o.maxAbsError < 1e-4)).toBe(true);
  });
  it('reports a model that is not served, and HTTP errors with the server text', async () => {
    const [r] = await evaluateModels(
      client,
      [{ backend: 'onnxruntime', name: 'nope' }],
      await client.repositoryIndex(),
      await loadCase(),
    );
    expect(r).toMatchObject({ status: 'failed', state: 'UNKNOWN', reason: 'the server does not list this model' });
    await expect(client.infer('nope', inferRequest([], []))).rejects.toMatchObject({
      name: 'KServeError',
      status: 404,
      message: expect.stringContaining("Request for unknown model: 'nope'"),
    });
  });
  it('soaks: normal mode grows during warm-up only', async () => {
    const soak = await runSoak(
      ['tslim_onnxruntime'],
      { batches: [16, 7], rounds: 6, warmupRounds: 2, thresholdBytes: 64 * 2 ** 20 },
      { client, metricsUrl, tolerance: { abs: 1e-4, rel: 1e-6 } },
    );
    expect(soak.series).toHaveLength(12);
    expect(soak.ok).toBe(true);
    expect(soak.growthBytes).toBe(0);
  });
});
