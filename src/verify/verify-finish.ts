import { type TslimError, usageError } from '../core/errors.js';
import type { KServeClient } from './kserve-client.js';
import type { BackendSelection } from './backends.js';
import type { BackendResult } from './evaluate.js';
import { describeGpus } from './gpu-request.js';
import { SAMPLE_BACKENDS } from './sample-backends.js';
import type { SampleCase } from './sample-repository.js';
import { runSoak, type SoakResult } from './soak.js';
import type { VerifyDeps, VerifyOptions, VerifyReport } from './verify-types.js';

export async function maybeSoak(
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

export interface FinishInput {
  image?: string;
  url?: string;
  options: VerifyOptions;
  selection: BackendSelection;
  results: BackendResult[];
  soak: SoakResult | undefined;
  started: number;
}

export function finish(input: FinishInput): VerifyReport {
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

export function nothingToVerify(ref: string, selection: BackendSelection, skipped: BackendResult[] = []): TslimError {
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
