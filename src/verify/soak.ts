import { TslimError } from '../core/errors.js';
import { compareTensor, type Tolerance } from './compare.js';
import { fetchMetrics, inferRequest, parseGpuGauge, type InferTensor, type KServeClient } from './kserve-client.js';

export interface SoakOptions {
  /** Batch sizes sent in order, every round (default 16 then 7: the ORT arena growth pattern). */
  batches: number[];
  rounds: number;
  /** Rounds whose growth is allowed (allocators and arenas settle). */
  warmupRounds: number;
  /** Growth after warm-up, in bytes, that fails the soak. */
  thresholdBytes: number;
}

export const DEFAULT_SOAK: SoakOptions = {
  batches: [16, 7],
  rounds: 20,
  warmupRounds: 2,
  thresholdBytes: 64 * 1024 * 1024,
};

export interface SoakJudgement {
  ok: boolean;
  baselineBytes: number;
  finalBytes: number;
  peakBytes: number;
  growthBytes: number;
}

export interface SoakResult extends SoakJudgement {
  /** nv_gpu_memory_used_bytes summed over the server's GPUs, sampled after every request. */
  series: number[];
  warmupSamples: number;
  thresholdBytes: number;
  requests: number;
  models: string[];
  batches: number[];
  rounds: number;
}

/**
 * A leak is memory that keeps rising after warm-up: compare the last sample with the last warm-up
 * sample. A server that grows at first and then stays flat passes.
 */
export function judgeSoak(series: readonly number[], warmupSamples: number, thresholdBytes: number): SoakJudgement {
  if (series.length === 0) return { ok: true, baselineBytes: 0, finalBytes: 0, peakBytes: 0, growthBytes: 0 };
  const baselineIndex = Math.min(Math.max(warmupSamples - 1, 0), series.length - 1);
  const baselineBytes = series[baselineIndex] ?? 0;
  const finalBytes = series[series.length - 1] ?? 0;
  const growthBytes = finalBytes - baselineBytes;
  return { ok: growthBytes <= thresholdBytes, baselineBytes, finalBytes, peakBytes: Math.max(...series), growthBytes };
}

/** A deterministic [batch, 4] pair and its add/sub result. */
export function soakTensors(batch: number): {
  inputs: InferTensor[];
  expected: Record<string, { shape: number[]; data: number[] }>;
} {
  const n = batch * 4;
  const a = Array.from({ length: n }, (_, i) => (i % 97) * 0.5 - 8);
  const b = Array.from({ length: n }, (_, i) => 1 - (i % 89) * 0.25);
  const shape = [batch, 4];
  return {
    inputs: [
      { name: 'INPUT0', shape, datatype: 'FP32', data: a },
      { name: 'INPUT1', shape, datatype: 'FP32', data: b },
    ],
    expected: {
      OUTPUT0: { shape, data: a.map((x, i) => x + (b[i] ?? 0)) },
      OUTPUT1: { shape, data: a.map((x, i) => x - (b[i] ?? 0)) },
    },
  };
}

export async function sampleGpuMemory(metricsUrl: string, signal?: AbortSignal): Promise<number> {
  const gauges = parseGpuGauge(await fetchMetrics(metricsUrl, signal));
  if (gauges.size === 0) {
    throw new TslimError('VERIFY_FAILED', `soak: ${metricsUrl} has no nv_gpu_memory_used_bytes`, {
      hint: 'the soak measures GPU memory: run it with GPUs (--gpus all), and do not start Triton with --allow-gpu-metrics=false',
    });
  }
  return [...gauges.values()].reduce((sum, v) => sum + v, 0);
}

export interface SoakDeps {
  client: KServeClient;
  metricsUrl: string;
  signal?: AbortSignal;
  tolerance: Tolerance;
  onProgress?: (done: number, total: number, bytes: number) => void;
}

/** Sends the batch sequence to every model, round after round, sampling GPU memory after each request. */
export async function runSoak(models: readonly string[], options: SoakOptions, deps: SoakDeps): Promise<SoakResult> {
  const series: number[] = [];
  const total = options.rounds * models.length * options.batches.length;
  const tensors = new Map(options.batches.map((b) => [b, soakTensors(b)]));
  for (let round = 0; round < options.rounds; round += 1) {
    for (const model of models) {
      for (const batch of options.batches) {
        deps.signal?.throwIfAborted();
        const t = tensors.get(batch) ?? soakTensors(batch);
        const response = await deps.client.infer(model, inferRequest(t.inputs, Object.keys(t.expected)));
        for (const [name, want] of Object.entries(t.expected)) {
          const got = response.outputs.find((o) => o.name === name);
          const cmp = compareTensor(name, got, want, deps.tolerance);
          if (!cmp.ok) {
            throw new TslimError(
              'VERIFY_FAILED',
              `soak: ${model} batch ${batch} round ${round + 1}: ${name} ${cmp.mismatch ?? 'differs'}`,
            );
          }
        }
        series.push(await sampleGpuMemory(deps.metricsUrl, deps.signal));
        deps.onProgress?.(series.length, total, series[series.length - 1] ?? 0);
      }
    }
  }
  const warmupSamples = Math.min(options.warmupRounds, options.rounds) * models.length * options.batches.length;
  return {
    ...judgeSoak(series, warmupSamples, options.thresholdBytes),
    series,
    warmupSamples,
    thresholdBytes: options.thresholdBytes,
    requests: series.length,
    models: [...models],
    batches: [...options.batches],
    rounds: options.rounds,
  };
}
