import { usageError } from '../core/errors.js';
import { IMAGE_LABELS } from '../core/labels.js';
import { parseSize } from '../core/sizes.js';

const MIB = 2 ** 20;
/** What the python backend needs per model instance (its stub's shared memory region; Triton's message says 65 MB). */
export const PYTHON_SHM_PER_INSTANCE = 65 * MIB;
/** Docker's default /dev/shm, kept for everything that is not the python backend. */
export const DOCKER_DEFAULT_SHM = 64 * MIB;
/** instance_group count of every sample model (samples/models/io.pbtxt.hbs). */
export const SAMPLE_INSTANCES = 1;

/**
 * Flags verify sets itself for its sample repository. An image's value for one of these is left out
 * (and reported), not just overridden: load-model and model-repository add up instead of replacing,
 * and a log file would hide the log verify reads the failures from.
 */
export const VERIFY_OWNED = [
  'model-repository',
  'model-control-mode',
  'load-model',
  'http-port',
  'metrics-port',
  'log-file',
  'exit-on-error',
  'allow-grpc',
] as const;

/** One flag as compose writes it into the args label: `--key=value`, allow-listed characters only. */
const LABEL_ARG = /^--([a-z0-9-]+)=([A-Za-z0-9_.@+/:*-]+)$/;

/** The image's `dev.tslim.server.args` label (space-separated flags) as key/value pairs. */
export function parseArgsLabel(text: string | undefined): { key: string; value: string; arg: string }[] {
  if (!text || text.trim() === '') return [];
  return text
    .trim()
    .split(/\s+/)
    .map((arg) => {
      const m = LABEL_ARG.exec(arg);
      if (!m)
        throw usageError(
          `the image's ${IMAGE_LABELS.serverArgs} label holds ${JSON.stringify(arg)}, not a --flag=value as tslim compose writes`,
          'rebuild the image with tslim compose, or remove the label',
        );
      return { key: m[1]!, value: m[2]!, arg };
    });
}

export interface ImageServerSettings {
  /** The image's tritonserver flags (label dev.tslim.server.args), as composed. */
  args: string[];
  /** Those verify passes on. */
  kept: string[];
  /** Those verify replaced with its own. */
  replaced: string[];
  /** The image's shm-size setting in bytes (label dev.tslim.server.shm-size). */
  shmBytes: number | undefined;
}

export function imageServerSettings(labels: Record<string, string>): ImageServerSettings {
  const pairs = parseArgsLabel(labels[IMAGE_LABELS.serverArgs]);
  const owned = new Set<string>(VERIFY_OWNED);
  const shm = labels[IMAGE_LABELS.serverShmSize];
  const shmBytes = shm === undefined ? undefined : parseSize(shm);
  return {
    args: pairs.map((p) => p.arg),
    kept: pairs.filter((p) => !owned.has(p.key)).map((p) => p.arg),
    replaced: pairs.filter((p) => owned.has(p.key)).map((p) => p.arg),
    shmBytes,
  };
}

export interface ShmDecision {
  bytes: number;
  /** forced: --shm-size; image: its shm-size setting; tslim: Docker's 64 MiB plus 65 MiB per python instance. */
  source: 'forced' | 'image' | 'tslim';
  pythonInstances: number;
  /** The least the python instances need. */
  neededBytes: number;
}

/** /dev/shm for the server: --shm-size when given, else the larger of the image's setting and what the python samples need. */
export function decideShm(
  forced: number | undefined,
  imageBytes: number | undefined,
  pythonInstances: number,
): ShmDecision {
  const neededBytes = pythonInstances * PYTHON_SHM_PER_INSTANCE;
  if (forced !== undefined) return { bytes: forced, source: 'forced', pythonInstances, neededBytes };
  const ours = DOCKER_DEFAULT_SHM + neededBytes;
  if (imageBytes !== undefined && imageBytes >= ours)
    return { bytes: imageBytes, source: 'image', pythonInstances, neededBytes };
  return { bytes: ours, source: 'tslim', pythonInstances, neededBytes };
}

/**
 * The option table Triton logs at start (`| Option | Value |`, also printed by the test world's
 * double): the settings as the server itself read them.
 */
export function parseOptionTable(log: string): Record<string, string> | undefined {
  const lines = log.split('\n');
  const head = lines.findIndex((l) => /^\|\s*Option\s*\|\s*Value\s*\|/.test(l.trim()));
  if (head < 0) return undefined;
  const out: Record<string, string> = {};
  for (const line of lines.slice(head + 1)) {
    const t = line.trim();
    if (t.startsWith('+')) continue;
    const m = /^\|\s*(\S+)\s*\|\s*(.*?)\s*\|$/.exec(t);
    if (!m) break;
    out[m[1]!] = m[2]!;
  }
  return out;
}
