import { Cleanup } from '../core/abort.js';
import { TslimError } from '../core/errors.js';
import type { Engine } from '../docker/engine.js';
import { inspectImageRaw } from '../docker/images.js';
import type { GpuDriver, GpuSelection } from './gpu-request.js';
import { decodeInferResponse, encodeInferRequest, type WireRequest, type WireTensor } from './infer-wire.js';
import { KServeError, type KServeClient } from './kserve-client.js';
import { generateRequest, signatureOf, type ModelSignature } from './request-gen.js';
import { decideShm, imageServerSettings, PYTHON_SHM_PER_INSTANCE, type ShmDecision } from './server-config.js';
import { startLive } from './server-start.js';
import type { InputsFile, ShapeOverride } from './user-inputs.js';
import { missingDependencies, type RepoModel } from './user-repository.js';
import { pbMessages, pbNumber } from './pbtxt-value.js';

export interface ModelRun {
  name: string;
  backend?: string;
  platform?: string;
  /** READY, or the server's state (UNAVAILABLE ...) with its reason. */
  state: string;
  reason?: string;
  loadMs?: number;
  instanceKinds: string[];
  signature?: ModelSignature;
  responses: { request: string; outputs?: WireTensor[]; error?: string }[];
}

export interface ImageRun {
  image: string;
  models: ModelRun[];
  shm: ShmDecision;
  serverLogTail?: string;
  durationMs: number;
  /** Set while the server runs: soak reuses the live server (image-run.ts closes it). */
  client?: KServeClient;
  metricsUrl?: string;
}

export interface RunPlan {
  repositories: readonly string[];
  /** Models in load order (dependencies first). */
  models: readonly RepoModel[];
  all: readonly RepoModel[];
  inputs: InputsFile;
  shapes: readonly ShapeOverride[];
  gpus: GpuSelection;
  gpuDriver: GpuDriver;
  shmSizeBytes?: number;
  env?: Record<string, string>;
  timeoutMs: number;
}

export interface RunDeps {
  engine: Engine;
  signal: AbortSignal;
  runId: string;
  onStep?: (text: string) => void;
}

function pythonInstances(models: readonly RepoModel[]): number {
  return models
    .filter((m) => m.backend === 'python')
    .reduce(
      (n, m) => n + (pbMessages(m.config, 'instance_group').reduce((c, g) => c + (pbNumber(g, 'count') ?? 1), 0) || 1),
      0,
    );
}

/**
 * Starts IMAGE with the user's repositories (read-only, explicit model control), loads every model in
 * dependency order, reads each one's metadata and config, sends its requests; then `during` runs
 * against the live server (the soak) before everything is removed.
 */
export async function runImage(
  image: string,
  plan: RunPlan,
  deps: RunDeps,
  during?: (run: ImageRun, client: KServeClient, metricsUrl: string) => Promise<void>,
): Promise<ImageRun> {
  const started = Date.now();
  const raw = await inspectImageRaw(deps.engine, image, deps.signal);
  if (!raw)
    throw new TslimError('IMAGE_NOT_FOUND', `image ${image} is not in the engine`, { hint: 'build or pull it first' });
  const settings = imageServerSettings(raw.Config?.Labels ?? {});
  const shm = decideShm(plan.shmSizeBytes, settings.shmBytes, pythonInstances(plan.models));
  const cleanup = new Cleanup();
  try {
    deps.onStep?.(`starting ${image}`);
    const deadline = Date.now() + plan.timeoutMs;
    const { server, client } = await startLive(
      deps.engine,
      {
        image,
        repositoryDirs: plan.repositories,
        models: [],
        gpus: plan.gpus,
        gpuDriver: plan.gpuDriver,
        shmSizeBytes: Math.max(shm.bytes, pythonInstances(plan.models) * PYTHON_SHM_PER_INSTANCE),
        imageArgs: settings.kept,
        ...(plan.env ? { env: plan.env } : {}),
        runId: deps.runId,
      },
      cleanup,
      deadline,
      plan.timeoutMs,
      deps.signal,
    );
    const models: ModelRun[] = [];
    for (const model of plan.models) {
      deps.onStep?.(`${image}: loading ${model.name}`);
      models.push(await runModel(client, model, plan));
    }
    const run: ImageRun = { image, models, shm, durationMs: 0 };
    if (during) await during(run, client, server.metricsUrl);
    if (models.some((m) => m.state !== 'READY' || m.responses.some((r) => r.error)))
      run.serverLogTail = await server.logs(40);
    run.durationMs = Date.now() - started;
    return run;
  } finally {
    await cleanup.run();
  }
}

async function runModel(client: KServeClient, model: RepoModel, plan: RunPlan): Promise<ModelRun> {
  const base = {
    name: model.name,
    ...(model.backend ? { backend: model.backend } : {}),
    ...(model.platform ? { platform: model.platform } : {}),
    instanceKinds: [] as string[],
    responses: [],
  };
  const missing = missingDependencies(model, plan.all);
  if (missing.length > 0) {
    const what = model.platform === 'ensemble' ? 'ensemble step' : 'model called by BLS';
    return {
      ...base,
      state: 'UNAVAILABLE',
      reason: `${what} ${missing.map((m) => `'${m}'`).join(', ')} is not in the model repository`,
    };
  }
  const t0 = Date.now();
  try {
    await client.loadModel(model.name);
  } catch (cause) {
    if (!(cause instanceof KServeError)) throw cause;
  }
  const loadMs = Date.now() - t0;
  const entry = (await client.repositoryIndex()).find((e) => e.name === model.name);
  if (entry?.state !== 'READY') {
    return {
      ...base,
      loadMs,
      state: entry?.state ?? 'UNKNOWN',
      reason: entry?.reason ?? 'the server does not list this model',
    };
  }
  const config = (await client.modelConfig(model.name)) as {
    backend?: string;
    platform?: string;
    instance_group?: { kind?: string }[];
  };
  const signature = signatureOf(model.name, await client.modelMetadata(model.name), config);
  const requests: WireRequest[] = plan.inputs.get(model.name) ?? [generateRequest(signature, plan.shapes)];
  const responses = [];
  for (const request of requests) responses.push(await send(client, model.name, request));
  return {
    ...base,
    ...(config.backend ? { backend: config.backend } : {}),
    ...(config.platform ? { platform: config.platform } : {}),
    state: 'READY',
    loadMs,
    instanceKinds: [...new Set((config.instance_group ?? []).map((g) => g.kind ?? 'KIND_AUTO'))],
    signature,
    responses,
  };
}

export async function send(
  client: KServeClient,
  model: string,
  request: WireRequest,
): Promise<ModelRun['responses'][number]> {
  const id = request.id ?? model;
  const { body, headerLength } = encodeInferRequest(request);
  try {
    const answer = await client.inferRaw(model, body, headerLength);
    return { request: id, outputs: decodeInferResponse(answer.body, answer.headerLength) };
  } catch (cause) {
    if (!(cause instanceof KServeError)) throw cause;
    return { request: id, error: cause.message };
  }
}
