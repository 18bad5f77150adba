import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cleanup } from '../core/abort.js';
import { TslimError } from '../core/errors.js';
import { inspectImageRaw } from '../docker/images.js';
import { selectBackends } from './backends.js';
import { evaluateModels, settledIndex, type BackendResult } from './evaluate.js';
import { describeGpus, gpusRequested } from './gpu-request.js';
import { loadCase, modelName, onnxSamplePath, writeSampleRepository } from './sample-repository.js';
import { decideShm, imageServerSettings, parseOptionTable, SAMPLE_INSTANCES } from './server-config.js';
import { startLive } from './server-start.js';
import { buildTrtPlan, resolveTrtBuilder } from './trt-plan.js';
import { finish, maybeSoak, nothingToVerify } from './verify-finish.js';
import type { VerifyDeps, VerifyOptions, VerifyReport } from './verify-types.js';

export type { ServerRun, VerifyDeps, VerifyOptions, VerifyReport } from './verify-types.js';
export { defaultMetricsUrl, verifyUrl } from './verify-url.js';

/** Starts IMAGE with the sample repository, checks each backend, optionally soaks; everything it made is removed. */
export async function verifyImage(ref: string, options: VerifyOptions, deps: VerifyDeps): Promise<VerifyReport> {
  const started = Date.now();
  const { engine, signal, progress } = deps;
  const raw = await inspectImageRaw(engine, ref, signal);
  if (!raw)
    throw new TslimError('IMAGE_NOT_FOUND', `image ${ref} is not in the engine`, { hint: 'build or pull it first' });
  const labels = raw.Config?.Labels ?? {};
  const selection = await selectBackends(engine, ref, labels, options.backends, deps.runId, signal);
  if (selection.backends.length === 0) throw nothingToVerify(ref, selection);
  const withGpus = gpusRequested(options.gpus);
  const skipped: BackendResult[] = [];
  let backends = selection.backends;
  if (backends.includes('tensorrt') && options.trtPlan === undefined && !withGpus) {
    skipped.push({
      backend: 'tensorrt',
      model: modelName('tensorrt'),
      status: 'skipped',
      message:
        'TensorRT plans run on GPUs only and are built on the target GPU: verify with --gpus, or pass --trt-plan FILE built for that GPU',
    });
    backends = backends.filter((b) => b !== 'tensorrt');
  }
  if (backends.length === 0) throw nothingToVerify(ref, selection, skipped);

  // not `await using`: esbuild (vitest, vite-node) passes it through and Node 20 cannot parse it
  const cleanup = new Cleanup();
  try {
    const dir = await mkdtemp(join(tmpdir(), 'tslim-verify-'));
    cleanup.defer(() => rm(dir, { recursive: true, force: true }));
    const cases = await loadCase();
    const models = await writeSampleRepository(dir, {
      backends,
      instanceKind: withGpus ? 'KIND_GPU' : 'KIND_CPU',
      ...(options.pytorchDisableOptimizedExecution ? { pytorchDisableOptimizedExecution: true } : {}),
      ...(options.trtPlan !== undefined ? { trtPlan: options.trtPlan } : {}),
    });
    const trt = models.find((m) => m.backend === 'tensorrt');
    if (trt && options.trtPlan === undefined) {
      progress.start('finding a TensorRT builder');
      const builder = await resolveTrtBuilder(engine, ref, labels, options.trtBuilder, deps.runId, signal, {
        ...(options.registryMirrors ? { mirrors: options.registryMirrors } : {}),
        ...(deps.pull ? { pull: deps.pull } : {}),
      });
      progress.update(`building the TensorRT plan with ${builder.kind === 'image' ? builder.image : builder.path}`);
      await buildTrtPlan(
        engine,
        {
          builder,
          onnx: onnxSamplePath(),
          plan: trt.file,
          maxBatch: cases.maxBatchSize,
          gpus: options.gpus,
          gpuDriver: options.gpuDriver,
          runId: deps.runId,
        },
        signal,
      );
      progress.succeed('built the TensorRT plan on the target GPU');
    }

    const settings = imageServerSettings(labels);
    const shm = decideShm(
      options.shmSizeBytes,
      settings.shmBytes,
      models.filter((m) => m.backend === 'python').length * SAMPLE_INSTANCES,
    );
    progress.start(`starting ${ref} with ${describeGpus(options.gpus)}`);
    const deadline = Date.now() + options.timeoutMs;
    const { server, client } = await startLive(
      engine,
      {
        image: ref,
        repositoryDirs: [dir],
        models: models.map((m) => m.name),
        gpus: options.gpus,
        gpuDriver: options.gpuDriver,
        shmSizeBytes: shm.bytes,
        imageArgs: settings.kept,
        ...(options.env ? { env: options.env } : {}),
        runId: deps.runId,
      },
      cleanup,
      deadline,
      options.timeoutMs,
      signal,
    );
    progress.update('waiting for the models to load');
    const index = await settledIndex(
      client,
      models.map((m) => m.name),
      deadline,
      signal,
    );
    progress.update('one inference per model');
    const results = await evaluateModels(
      client,
      models.map((m) => ({ backend: m.backend, name: m.name, instanceKind: m.instanceKind })),
      index,
      cases,
    );
    progress.succeed(`checked ${results.length} model${results.length === 1 ? '' : 's'}`);
    const soak = await maybeSoak(client, server.metricsUrl, results, cases, options, deps);
    const report = finish({ image: ref, options, selection, results: [...results, ...skipped], soak, started });
    const reported = parseOptionTable(await server.logs(2000));
    report.server = {
      args: server.args,
      imageArgs: settings.args,
      replacedByVerify: settings.replaced,
      ...(reported ? { reported } : {}),
      shm,
    };
    if (!report.ok) report.serverLogTail = await server.logs(40);
    return report;
  } finally {
    await cleanup.run();
  }
}
