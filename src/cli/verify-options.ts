import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import { parseSize } from '../core/sizes.js';
import { explicitBackends, parseBackendList } from '../verify/backends.js';
import { parseGpus, type GpuDriver } from '../verify/gpu-request.js';
import type { SoakOptions } from '../verify/soak.js';
import type { VerifyOptions } from '../verify/verify.js';
import { parseRegistryMirror } from '../compose/mirrors.js';
import type { CommonOptions } from './context.js';
import type { UserVerifyFlags } from './verify-user.js';

/** What commander hands `tslim verify`; strings until toVerifyOptions checks them. */
export interface VerifyCliOptions extends CommonOptions, UserVerifyFlags {
  backend?: string[];
  gpus: string;
  gpuDriver: GpuDriver;
  url?: string;
  metricsUrl?: string;
  trtBuilder?: string;
  registryMirror?: string[];
  trtPlan?: string;
  pytorchDisableOptimizedExecution?: boolean;
  soak?: boolean;
  soakBatches: string;
  soakRounds: string;
  soakWarmup: string;
  soakThreshold: string;
  timeout: string;
  /** Absent: tslim sizes /dev/shm (the image's shm-size setting, 65 MiB per python instance). */
  shmSize?: string;
  env?: string[];
  writeRepository?: string;
}

function positiveInt(name: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw usageError(`${name} must be an integer 1..${max}, got '${text}'`);
  return n;
}

function size(name: string, text: string): number {
  const bytes = parseSize(text);
  if (bytes === undefined)
    throw usageError(`${name}: cannot read '${text}' as a size`, 'e.g. 64MiB, 256MB, 1GiB or a number of bytes');
  return bytes;
}

/** The one check of the options: everything verify receives is validated here. */
export function toVerifyOptions(options: VerifyCliOptions): VerifyOptions {
  const soak: SoakOptions | undefined = options.soak
    ? {
        batches: parseBackendList(options.soakBatches).map((b) => positiveInt('--soak-batches', b, 32)),
        rounds: positiveInt('--soak-rounds', options.soakRounds, 10_000),
        warmupRounds: positiveInt('--soak-warmup', options.soakWarmup, 10_000),
        thresholdBytes: size('--soak-threshold', options.soakThreshold),
      }
    : undefined;
  if (soak && soak.warmupRounds >= soak.rounds)
    throw usageError(`--soak-warmup (${soak.warmupRounds}) must be fewer than --soak-rounds (${soak.rounds})`);
  if (soak?.batches.length === 0) throw usageError('--soak-batches needs at least one batch size');
  const env: Record<string, string> = {};
  for (const pair of options.env ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--env expects KEY=VALUE, got '${pair}'`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (options.backend) explicitBackends(options.backend);
  if (options.trtPlan !== undefined && !existsSync(options.trtPlan))
    throw usageError(`--trt-plan ${options.trtPlan}: no such file`);
  return {
    ...(options.backend ? { backends: options.backend } : {}),
    gpus: parseGpus(options.gpus),
    gpuDriver: options.gpuDriver,
    ...(options.trtBuilder !== undefined ? { trtBuilder: options.trtBuilder } : {}),
    ...(options.registryMirror ? { registryMirrors: options.registryMirror.map(parseRegistryMirror) } : {}),
    ...(options.trtPlan !== undefined ? { trtPlan: resolve(options.trtPlan) } : {}),
    ...(options.pytorchDisableOptimizedExecution ? { pytorchDisableOptimizedExecution: true } : {}),
    ...(soak ? { soak } : {}),
    timeoutMs: positiveInt('--timeout', options.timeout, 86_400) * 1000,
    ...(options.shmSize !== undefined ? { shmSizeBytes: size('--shm-size', options.shmSize) } : {}),
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...(options.metricsUrl !== undefined ? { metricsUrl: options.metricsUrl } : {}),
  };
}
