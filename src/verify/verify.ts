import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cleanup } from '../core/abort.js';
import { TslimError, usageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Progress } from '../core/progress.js';
import type { Engine } from '../docker/engine.js';
import { inspectImageRaw } from '../docker/images.js';
import { selectBackends, explicitBackends, fromHeld, type BackendSelection } from './backends.js';
import { evaluateModels, settledIndex, type BackendResult } from './evaluate.js';
import { describeGpus, gpusRequested, type GpuDriver, type GpuSelection } from './gpu-request.js';
import { KServeClient } from './kserve-client.js';
import {
  loadCase,
  modelName,
  onnxSamplePath,
  SAMPLE_BACKENDS,
  writeSampleRepository,
  type SampleCase,
} from './sample-repository.js';
import {
  decideShm,
  imageServerSettings,
  parseOptionTable,
  SAMPLE_INSTANCES,
  type ShmDecision,
} from './server-config.js';
import { startLive } from './server-start.js';
import { runSoak, type SoakOptions, type SoakResult } from './soak.js';
import { buildTrtPlan, resolveTrtBuilder } from './trt-plan.js';

export interface VerifyOptions {
  /** --backend; empty: what the image says it holds. */
  backends?: string[];
  gpus: GpuSelection;
  gpuDriver: GpuDriver;
  trtBuilder?: string;
  trtPlan?: string;
  pytorchDisableOptimizedExecution?: boolean;
  /** Present: run the soak after the checks pass. */
  soak?: SoakOptions;
  /** How long the server may take to serve and load its models. */
  timeoutMs: number;
  /** --shm-size: forces /dev/shm; without it tslim sizes it (server-config.ts decideShm). */
  shmSizeBytes?: number;
  /** Extra environment for the server container. */
  env?: Record<string, string>;
  /** --url mode: the metrics endpoint (default: the server's host, port 8002). */
  metricsUrl?: string;
}

export interface VerifyDeps {
  engine: Engine;
  log: Logger;
  progress: Progress;
  signal: AbortSignal;
  runId: string;
}

export interface VerifyReport {
  ok: boolean;
  image?: string;
  url?: string;
  gpus: string;
  backendSource: BackendSelection['source'];
  results: BackendResult[];
  withoutSample: string[];
  /** Set when models failed because the server saw no GPU: a problem of the run, not the image. */
  gpuProblem?: string;
  soak?: SoakResult;
  serverLogTail?: string;
  /** How the server container ran (image mode only). */
  server?: ServerRun;
  durationMs: number;
}

export interface ServerRun {
  /** The command line the server ran with: the image's settings, then verify's. */
  args: string[];
  /** The image's own settings (compose's server settings), as its label holds them. */
  imageArgs: string[];
  /** The image's settings verify replaced with its own (model repository, loading, ports, log file). */
  replacedByVerify: string[];
  /** The option table the server logged at start: its settings as it read them, when it printed one. */
  reported?: Record<string, string>;
  shm: ShmDecision;
}

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
      const builder = await resolveTrtBuilder(engine, ref, labels, options.trtBuilder, deps.runId, signal);
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

/** Checks a server that is already running: its tslim_* sample models, over KServe v2. */
export async function verifyUrl(
  url: string,
  options: VerifyOptions,
  deps: Pick<VerifyDeps, 'signal' | 'progress' | 'log'>,
): Promise<VerifyReport> {
  const started = Date.now();
  const client = new KServeClient(url, { signal: deps.signal });
  if (!(await client.live())) {
    throw new TslimError('VERIFY_FAILED', `no Triton server is live at ${client.baseUrl} (GET /v2/health/live)`, {
      hint: 'check the address and the --http-port it was started with',
    });
  }
  const index = await client.repositoryIndex();
  const present = SAMPLE_BACKENDS.filter((b) => index.some((e) => e.name === modelName(b)));
  const selection =
    options.backends && options.backends.length > 0 ? explicitBackends(options.backends) : fromHeld(present, 'server');
  if (selection.backends.length === 0) {
    throw new TslimError(
      'VERIFY_FAILED',
      `the server at ${client.baseUrl} has none of tslim's sample models (${SAMPLE_BACKENDS.map(modelName).join(', ')})`,
      {
        hint: 'start it with the repository that `tslim verify --write-repository DIR` writes, loading the samples (--load-model=tslim_onnxruntime ...)',
      },
    );
  }
  const cases = await loadCase();
  const names = selection.backends.map(modelName);
  const settled = await settledIndex(client, names, Date.now() + options.timeoutMs, deps.signal);
  const results = await evaluateModels(
    client,
    selection.backends.map((b) => ({ backend: b, name: modelName(b) })),
    settled,
    cases,
  );
  const metricsUrl = options.metricsUrl ?? defaultMetricsUrl(client.baseUrl);
  const soak = await maybeSoak(client, metricsUrl, results, cases, options, deps);
  return finish({ url: client.baseUrl, options, selection, results, soak, started });
}

export function defaultMetricsUrl(httpUrl: string): string {
  const u = new URL(httpUrl);
  u.port = '8002';
  u.pathname = '/metrics';
  return u.toString();
}

async function maybeSoak(
  client: KServeClient,
  metricsUrl: string,
  results: BackendResult[],
  cases: SampleCase,
  options: VerifyOptions,
  deps: Pick<VerifyDeps, 'progress' | 'signal'>,
): Promise<SoakResult | undefined> {
  if (!options.soak || results.some((r) => r.status === 'failed')) return undefined;
  const models = results.filter((r) => r.status === 'passed').map((r) => r.model);
  deps.progress.start(
    `soak: batches ${options.soak.batches.join(',')} x ${options.soak.rounds} rounds on ${models.length} model(s)`,
  );
  const soak = await runSoak(models, options.soak, {
    client,
    metricsUrl,
    signal: deps.signal,
    tolerance: cases.tolerance,
    onProgress: (done, total, bytes) =>
      deps.progress.update(`soak: ${done}/${total} requests, GPU memory ${(bytes / 2 ** 20).toFixed(0)} MiB`),
  });
  if (soak.ok) deps.progress.succeed('soak: GPU memory stayed flat after warm-up');
  else deps.progress.fail('soak: GPU memory kept growing');
  return soak;
}

interface FinishInput {
  image?: string;
  url?: string;
  options: VerifyOptions;
  selection: BackendSelection;
  results: BackendResult[];
  soak: SoakResult | undefined;
  started: number;
}

function finish(input: FinishInput): VerifyReport {
  const gpuFailures = input.results.filter((r) => r.gpuVisibility);
  const gpuProblem =
    gpuFailures.length === 0
      ? undefined
      : `the server saw no GPU, so KIND_GPU models could not load (${gpuFailures.map((r) => `${r.backend}: ${r.reason ?? r.message ?? ''}`).join('; ')})`;
  const ok = input.results.every((r) => r.status !== 'failed') && (input.soak?.ok ?? true);
  return {
    ok,
    ...(input.image !== undefined ? { image: input.image } : {}),
    ...(input.url !== undefined ? { url: input.url } : {}),
    gpus: describeGpus(input.options.gpus),
    backendSource: input.selection.source,
    results: input.results,
    withoutSample: input.selection.withoutSample,
    ...(gpuProblem ? { gpuProblem } : {}),
    ...(input.soak ? { soak: input.soak } : {}),
    durationMs: Date.now() - input.started,
  };
}

function nothingToVerify(ref: string, selection: BackendSelection, skipped: BackendResult[] = []): TslimError {
  const held = [...selection.backends, ...selection.withoutSample];
  const why =
    skipped.length > 0
      ? skipped.map((s) => `${s.backend}: ${s.message ?? ''}`).join('; ')
      : `${ref} holds ${held.length ? held.join(', ') : 'no backends'} (from ${selection.source})`;
  return usageError(
    `nothing to verify: ${why}`,
    `tslim has sample models for ${SAMPLE_BACKENDS.join(', ')}; name them with --backend`,
  );
}
