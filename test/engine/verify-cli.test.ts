import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../../src/core/abort.js';
import { newRunId, RUN_LABEL } from '../../src/core/labels.js';
import { silentLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { connectEngine } from '../../src/docker/engine.js';
import { sweepContainers } from '../../src/docker/containers.js';
import { followStream } from '../../src/docker/json-stream.js';
import { sleep } from '../../src/core/abort.js';
import { KServeClient } from '../../src/verify/kserve-client.js';
import { parseGpus } from '../../src/verify/gpu-request.js';
import { writeSampleRepository } from '../../src/verify/sample-repository.js';
import { startServer } from '../../src/verify/server-runner.js';
import { verifyUrl } from '../../src/verify/verify.js';
import { buildContext } from '../world/build-context.js';
import { repoRoot } from '../world/paths.js';
import { readWorld } from '../world/read-world.js';
import { removeByLabel } from '../support/tiny-image.js';

const world = readWorld();
const engine = connectEngine();
const runId = `test-verify-cli-${newRunId()}`;
const release = Object.values(world.releases)[0]!;
const image = `tslim-test/verify-cli:${runId}`;

async function serverContainers(): Promise<number> {
  return (await engine.listContainers({ all: true, filters: { ancestor: [image], label: [RUN_LABEL] } })).length;
}

beforeAll(async () => {
  const dockerfile = `FROM ${release.full}\nLABEL ${RUN_LABEL}=${runId} dev.tslim.backends=onnxruntime,python\n`;
  const stream = await engine.buildImage(buildContext([{ name: 'Dockerfile', content: dockerfile }]), {
    t: image,
    labels: { [RUN_LABEL]: runId },
    rm: true,
    forcerm: true,
  });
  await followStream(stream, { what: `build of ${image}` });
});

afterAll(async () => {
  const list = await engine.listContainers({ all: true, filters: { ancestor: [image] } });
  await Promise.all(
    list.map((c) =>
      engine
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  await sweepContainers(engine, runId);
  await removeByLabel(engine, runId);
});

describe('tslim verify as a process', () => {
  it('Ctrl-C (SIGINT) mid-verify exits 130 and leaves no container', async () => {
    const child = spawn(
      join(repoRoot, 'node_modules/.bin/vite-node'),
      ['src/cli/main.ts', '--', 'verify', image, '--gpus', 'none', '--soak', '--soak-rounds', '10000', '--json'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 300 && (await serverContainers()) === 0; i += 1) await sleep(100);
    expect(await serverContainers(), stderr + stdout).toBe(1);
    await sleep(1500);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, error: { code: 'ABORTED', exitCode: 130 } });
    expect(await serverContainers()).toBe(0);
  });
});

describe('tslim verify --url', () => {
  it('checks the sample models of a server that is already running', async () => {
    const cleanup = new Cleanup();
    const dir = await mkdtemp(join(tmpdir(), 'tslim-verify-url-'));
    cleanup.defer(() => rm(dir, { recursive: true, force: true }));
    try {
      await writeSampleRepository(dir, { backends: ['onnxruntime', 'python'], instanceKind: 'KIND_CPU' });
      const server = await startServer(
        engine,
        {
          image,
          repositoryDirs: [dir],
          models: ['tslim_onnxruntime', 'tslim_python'],
          gpus: parseGpus('none'),
          gpuDriver: 'nvidia',
          shmSizeBytes: 256 * 2 ** 20,
          runId,
        },
        cleanup,
      );
      const client = new KServeClient(server.httpUrl);
      for (let i = 0; i < 100 && !(await client.live()); i += 1) await sleep(200);
      const signal = new AbortController().signal;
      const report = await verifyUrl(
        server.httpUrl,
        {
          gpus: parseGpus('none'),
          gpuDriver: 'nvidia',
          timeoutMs: 30_000,
          shmSizeBytes: 0,
          metricsUrl: server.metricsUrl,
          soak: { batches: [16, 7], rounds: 4, warmupRounds: 2, thresholdBytes: 64 * 2 ** 20 },
        },
        { signal, progress: silentProgress, log: silentLogger },
      );
      expect(report).toMatchObject({ ok: true, url: server.httpUrl, backendSource: 'server' });
      expect(report.results.map((r) => [r.backend, r.status])).toEqual([
        ['onnxruntime', 'passed'],
        ['python', 'passed'],
      ]);
      expect(report.soak?.ok).toBe(true);
      await expect(
        verifyUrl(
          server.httpUrl,
          { gpus: parseGpus('none'), gpuDriver: 'nvidia', timeoutMs: 5_000, shmSizeBytes: 0, backends: ['pytorch'] },
          { signal, progress: silentProgress, log: silentLogger },
        ),
      ).resolves.toMatchObject({
        ok: false,
        results: [{ backend: 'pytorch', status: 'failed', reason: 'the server does not list this model' }],
      });
    } finally {
      await cleanup.run();
    }
    expect((await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } })).length).toBe(0);
  });

  it('says clearly when nothing listens', async () => {
    await expect(
      verifyUrl(
        'http://127.0.0.1:9',
        { gpus: parseGpus('none'), gpuDriver: 'nvidia', timeoutMs: 1000, shmSizeBytes: 0 },
        { signal: new AbortController().signal, progress: silentProgress, log: silentLogger },
      ),
    ).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: 'no Triton server is live at http://127.0.0.1:9 (GET /v2/health/live)',
    });
  });
});
