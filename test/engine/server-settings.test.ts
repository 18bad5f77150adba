import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/compose/profiles.js';
import { newRunId, RUN_LABEL } from '../../src/core/labels.js';
import { silentLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { parseSize } from '../../src/core/sizes.js';
import { sweepContainers } from '../../src/docker/containers.js';
import { parseGpus } from '../../src/verify/gpu-request.js';
import { formatReport, verifyFailure } from '../../src/verify/outcome.js';
import { verifyImage, type VerifyOptions } from '../../src/verify/verify.js';
import { followStream } from '../../src/docker/json-stream.js';
import { buildContext } from '../world/build-context.js';
import { freePort, logs } from '../world/run-fixture.js';
import { composeInWorld, engine, removeImage, uniqueTag } from './compose-helpers.js';

/**
 * A profile's server settings end to end: composed into an image from the world's 24.09 release,
 * started with `docker run IMAGE` (the default command), with `docker run IMAGE --log-verbose=2`,
 * and verified. The flags are read back from the protocol double (GET /v2/double/args).
 */
const runId = `test-server-settings-${newRunId()}`;
const tag = uniqueTag('server');
const MiB = 2 ** 20;
let dir: string;
let models: string;
let ports: { http: number; grpc: number; metrics: number };
let expected: string[];

const PROFILE = `name: server-test
backends: [onnxruntime, python]
server:
  model-repository: /models
  model-control-mode: explicit
  pinned-memory-pool-byte-size: 256MiB
  cuda-memory-pool-byte-size: { 1: 32MiB, 0: 64MiB }
  log-verbose: 1
  grpc-keepalive-time: 10000
  grpc-keepalive-permit-without-calls: true
  grpc-http2-max-pings-without-data: 0
  shm-size: 300MiB
`;

async function runImage(cmd: string[] | undefined): Promise<{ argv: string[]; options: Record<string, unknown> }> {
  const container = await engine.createContainer({
    Image: tag,
    ...(cmd ? { Cmd: cmd } : {}),
    Labels: { [RUN_LABEL]: runId },
    HostConfig: { NetworkMode: 'host', Binds: [`${models}:/models:ro`] },
  });
  try {
    await container.start();
    for (let i = 0; i < 150; i += 1) {
      const res = await fetch(`http://127.0.0.1:${ports.http}/v2/double/args`).catch(() => undefined);
      if (res?.ok) return (await res.json()) as { argv: string[]; options: Record<string, unknown> };
      const state = (await container.inspect()).State;
      if (!state.Running) throw new Error(`the server exited (${state.ExitCode}): ${await logs(container)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the server did not answer: ${await logs(container)}`);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tslim-server-settings-'));
  models = join(dir, 'models');
  await mkdir(models, { mode: 0o755 });
  await writeFile(join(dir, 'server-test.yaml'), PROFILE);
  ports = { http: await freePort(), grpc: await freePort(), metrics: await freePort() };
  const profile = await loadProfile(join(dir, 'server-test.yaml'));
  await composeInWorld(
    {
      version: '24.09',
      outputName: tag,
      serverArg: [`http-port=${ports.http}`, `grpc-port=${ports.grpc}`, `metrics-port=${ports.metrics}`],
    },
    { profile },
  );
  expected = [
    '--model-repository=/models',
    '--model-control-mode=explicit',
    '--pinned-memory-pool-byte-size=268435456',
    '--cuda-memory-pool-byte-size=0:67108864',
    '--cuda-memory-pool-byte-size=1:33554432',
    '--log-verbose=1',
    `--http-port=${ports.http}`,
    `--grpc-port=${ports.grpc}`,
    `--metrics-port=${ports.metrics}`,
    '--grpc-keepalive-time=10000',
    '--grpc-keepalive-permit-without-calls=true',
    '--grpc-http2-max-pings-without-data=0',
  ];
});

afterAll(async () => {
  await sweepContainers(engine, runId);
  await removeImage(tag);
  await rm(dir, { recursive: true, force: true });
});

describe('server settings in a composed image', () => {
  it('labels the image with the flags and the shm size', async () => {
    const info = await engine.getImage(tag).inspect();
    expect(info.Config.Labels?.['dev.tslim.server.args']).toBe(expected.join(' '));
    expect(info.Config.Labels?.['dev.tslim.server.shm-size']).toBe(String(300 * MiB));
    expect(info.Config.Entrypoint).toEqual([
      '/opt/nvidia/nvidia_entrypoint.sh',
      '/opt/tslim/bin/tritonserver-defaults',
    ]);
    expect(info.Config.Cmd).toEqual(['tritonserver', ...expected]);
  });

  it('docker run IMAGE starts the server with exactly those flags', async () => {
    const { argv } = await runImage(undefined);
    expect(argv).toEqual(['tritonserver', ...expected]);
  });

  it('docker run IMAGE --log-verbose=2 keeps the settings and overrides log-verbose (the last value wins)', async () => {
    const { argv, options } = await runImage(['--log-verbose=2']);
    expect(argv).toEqual(['tritonserver', ...expected, '--log-verbose=2']);
    expect(options['log-verbose']).toEqual(['1', '2']);
    expect(options['pinned-memory-pool-byte-size']).toBe('268435456');
  });

  it('docker run IMAGE tritonserver ... runs that command unchanged', async () => {
    const cmd = [
      'tritonserver',
      '--model-repository=/models',
      `--http-port=${ports.http}`,
      `--metrics-port=${ports.metrics}`,
      '--allow-grpc=false',
    ];
    const { argv } = await runImage(cmd);
    expect(argv).toEqual(cmd);
  });
});

describe('verify with the image settings', () => {
  const deps = () => ({
    engine,
    log: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    runId,
  });
  const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({
    gpus: parseGpus('none'),
    gpuDriver: 'nvidia',
    timeoutMs: 60_000,
    backends: ['python'],
    ...over,
  });

  it("passes python with tslim's shm sizing and reports the settings the server ran with", async () => {
    const report = await verifyImage(tag, options(), deps());
    expect(report.results.map((r) => [r.backend, r.status])).toEqual([['python', 'passed']]);
    expect(report.ok).toBe(true);
    const server = report.server!;
    expect(server.shm).toMatchObject({ bytes: 300 * MiB, source: 'image', pythonInstances: 1 });
    const kept = expected.filter((a) => !/^--(model-repository|model-control-mode|http-port|metrics-port)=/.test(a));
    expect(server.args.slice(0, kept.length + 1)).toEqual(['tritonserver', ...kept]);
    expect(server.args).toContain('--model-control-mode=explicit');
    expect(server.args).toContain('--load-model=tslim_python');
    expect(server.replacedByVerify).toEqual([
      '--model-repository=/models',
      '--model-control-mode=explicit',
      `--http-port=${ports.http}`,
      `--metrics-port=${ports.metrics}`,
    ]);
    expect(server.reported).toMatchObject({
      pinned_memory_pool_byte_size: '268435456',
      'cuda_memory_pool_byte_size{0}': '67108864',
      'cuda_memory_pool_byte_size{1}': '33554432',
      model_control_mode: 'MODE_EXPLICIT',
    });
    const text = formatReport(report);
    expect(text).toContain(`server: tritonserver ${kept.join(' ')} --model-repository=/tslim/models`);
    expect(text).toContain("/dev/shm: 300.0 MiB (the image's shm-size setting)");
  });

  it('sizes /dev/shm itself (64 MiB + 65 MiB per python instance) when the image has no shm-size setting', async () => {
    const plain = `${tag}-noshm`;
    const stream = await engine.buildImage(
      buildContext([{ name: 'Dockerfile', content: `FROM ${tag}\nLABEL dev.tslim.server.shm-size=""\n` }]),
      { t: plain, labels: { [RUN_LABEL]: runId }, rm: true, forcerm: true },
    );
    await followStream(stream, { what: `build of ${plain}` });
    try {
      const report = await verifyImage(plain, options(), deps());
      expect(report.server?.shm).toMatchObject({ bytes: 129 * MiB, source: 'tslim' });
      expect(report.results.map((r) => [r.backend, r.status])).toEqual([['python', 'passed']]);
      expect(formatReport(report)).toContain('/dev/shm: 129.0 MiB (64 MiB + 65 MiB x 1 python instance)');
    } finally {
      await removeImage(plain);
    }
  });

  it('fails python with a message naming --shm-size when --shm-size 64m is forced', async () => {
    const report = await verifyImage(tag, options({ shmSizeBytes: parseSize('64m')! }), deps());
    expect(report.ok).toBe(false);
    expect(report.server?.shm).toMatchObject({ source: 'forced', bytes: 64 * 1024 ** 2 });
    const failure = verifyFailure(report)!;
    expect(failure.code).toBe('VERIFY_FAILED');
    expect(failure.message).toMatch(
      /failed to serve python: 1 python instance need at least 65\.0 MiB of \/dev\/shm \(65 MiB each\), the container had 64\.0 MiB \(forced by --shm-size\); the server said: .*--shm-size/,
    );
    expect(failure.hint).toMatch(/drop --shm-size/);
  });
});
