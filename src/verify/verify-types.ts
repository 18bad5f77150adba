import type { Logger } from '../core/logger.js';
import type { RegistryMirror } from '../compose/mirrors.js';
import type { Progress } from '../core/progress.js';
import type { Engine } from '../docker/engine.js';
import type { BackendSelection } from './backends.js';
import type { BackendResult } from './evaluate.js';
import type { GpuDriver, GpuSelection } from './gpu-request.js';
import type { ShmDecision } from './server-config.js';
import type { SoakOptions, SoakResult } from './soak.js';

export interface VerifyOptions {
  /** --backend; empty: what the image says it holds. */
  backends?: string[];
  gpus: GpuSelection;
  gpuDriver: GpuDriver;
  trtBuilder?: string;
  /** --registry-mirror: applied to the TensorRT builder image (as compose applies it to its FROM images). */
  registryMirrors?: RegistryMirror[];
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
  /** Pulls an image the engine lacks (the --trt-builder image): `used` is `requested` after the mirrors. */
  pull?: (requested: string, used: string) => Promise<void>;
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
