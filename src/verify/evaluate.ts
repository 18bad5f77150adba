import { compareTensor, type TensorComparison } from './compare.js';
import { isGpuVisibilityMessage } from './gpu-request.js';
import { inferRequest, KServeError, type KServeClient, type RepositoryEntry } from './kserve-client.js';
import type { SampleBackend } from './sample-backends.js';
import type { InstanceKind, SampleCase } from './sample-repository.js';
import { sleep } from '../core/abort.js';

export interface BackendResult {
  backend: SampleBackend;
  model: string;
  status: 'passed' | 'failed' | 'skipped';
  instanceKind?: InstanceKind;
  /** Triton's model state and reason (POST /v2/repository/index) when it did not load. */
  state?: string;
  reason?: string;
  outputs?: TensorComparison[];
  message?: string;
  /** The failure is the run's: the server saw no GPU for a KIND_GPU instance group. */
  gpuVisibility?: boolean;
}

export interface ModelUnderTest {
  backend: SampleBackend;
  name: string;
  instanceKind?: InstanceKind;
}

/** Waits until no model is LOADING (or the deadline); returns the last index. */
export async function settledIndex(
  client: KServeClient,
  models: readonly string[],
  deadline: number,
  signal?: AbortSignal,
): Promise<RepositoryEntry[]> {
  for (;;) {
    const index = await client.repositoryIndex();
    // Only LOADING is worth waiting for: the HTTP service starts after the startup loads, and a model
    // that is unlisted or stateless (never asked to load) will not change by itself.
    const pending = models.filter((m) => index.find((e) => e.name === m)?.state === 'LOADING');
    if (pending.length === 0 || Date.now() > deadline) return index;
    await sleep(500, signal);
  }
}

/** One inference of the known case per ready model; failures carry Triton's state and reason. */
export async function evaluateModels(
  client: KServeClient,
  models: readonly ModelUnderTest[],
  index: readonly RepositoryEntry[],
  cases: SampleCase,
): Promise<BackendResult[]> {
  const results: BackendResult[] = [];
  for (const m of models) {
    const base = { backend: m.backend, model: m.name, ...(m.instanceKind ? { instanceKind: m.instanceKind } : {}) };
    const entry = index.find((e) => e.name === m.name);
    const ready = entry?.state === 'READY' || (await client.modelReady(m.name));
    if (!ready) {
      const state = entry?.state ?? 'UNKNOWN';
      const reason = entry?.reason ?? (entry ? '' : 'the server does not list this model');
      results.push({
        ...base,
        status: 'failed',
        state,
        reason,
        message: `${state}${reason ? `: ${reason}` : ''}`,
        gpuVisibility: isGpuVisibilityMessage(reason),
      });
      continue;
    }
    try {
      const inputs = Object.entries(cases.inputs).map(([name, t]) => ({
        name,
        shape: t.shape,
        datatype: cases.datatype,
        data: t.data,
      }));
      const response = await client.infer(
        m.name,
        inferRequest(inputs, Object.keys(cases.outputs), `tslim-verify-${m.backend}`),
      );
      const outputs = Object.entries(cases.outputs).map(([name, want]) =>
        compareTensor(
          name,
          response.outputs.find((o) => o.name === name),
          want,
          cases.tolerance,
        ),
      );
      const bad = outputs.filter((o) => !o.ok);
      results.push(
        bad.length === 0
          ? { ...base, status: 'passed', state: 'READY', outputs }
          : {
              ...base,
              status: 'failed',
              state: 'READY',
              outputs,
              message: `wrong output: ${bad.map((o) => `${o.name} ${o.mismatch ?? ''}`).join('; ')}`,
            },
      );
    } catch (cause) {
      if (!(cause instanceof KServeError)) throw cause;
      results.push({
        ...base,
        status: 'failed',
        state: 'READY',
        message: `inference failed: ${cause.message}`,
        gpuVisibility: isGpuVisibilityMessage(cause.message),
      });
    }
  }
  return results;
}
