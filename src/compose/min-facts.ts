import { TslimError } from '../core/errors.js';
import type { Engine } from '../docker/engine.js';
import { inspectImageRaw } from '../docker/images.js';
import { readSmallFile, withScratchContainer } from '../docker/archive.js';
import { parseEnv } from '../inspect/env.js';
import { parseOsRelease } from '../inspect/os-release.js';
import type { ImageFacts } from '../inspect/facts.js';

/**
 * The few facts compose needs from a base (min) image: env, os-release, architecture. Unlike
 * inspectImage it accepts any Linux image, since a CPU-only compose starts from plain Ubuntu.
 */
export async function inspectBase(engine: Engine, ref: string, runId: string, signal?: AbortSignal): Promise<{ facts: ImageFacts; architecture: string | undefined }> {
  const raw = await inspectImageRaw(engine, ref, signal);
  if (!raw) throw new TslimError('IMAGE_NOT_FOUND', `image ${ref} is not in the engine`, { hint: 'drop --skip-pull, or pull it first' });
  const osText = await withScratchContainer(engine, raw.Id, runId, async (c) => (await readSmallFile(c, '/etc/os-release')) ?? readSmallFile(c, '/usr/lib/os-release'), signal);
  const env = parseEnv(raw.Config?.Env);
  const os = osText === undefined ? undefined : parseOsRelease(osText);
  const facts: ImageFacts = {
    ref,
    id: raw.Id,
    size: raw.Size,
    layers: raw.RootFS?.Layers ?? [],
    env,
    labels: raw.Config?.Labels ?? {},
    entrypoint: [],
    cmd: [],
    user: raw.Config?.User ?? '',
    workingDir: raw.Config?.WorkingDir ?? '',
    gpuEnabled: env.CUDA_VERSION !== undefined,
    ...(env.CUDA_VERSION ? { cudaVersion: env.CUDA_VERSION } : {}),
    ...(env._CUDA_COMPAT_PATH ? { cudaCompatPath: env._CUDA_COMPAT_PATH } : {}),
    ...(os ? { os } : {}),
    sagemakerServe: false,
    backends: [],
    repoagents: [],
    caches: [],
  };
  return { facts, architecture: raw.Architecture };
}
