import { performance } from 'node:perf_hooks';
import { TslimError } from '../core/errors.js';
import { throwIfAborted } from '../core/abort.js';
import { newRunId } from '../core/labels.js';
import type { Engine } from '../docker/engine.js';
import { inspectImageRaw, pullImage, type RawImage, type RegistryAuthConfig } from '../docker/images.js';
import { readSmallFile, statPath, withScratchContainer } from '../docker/archive.js';
import type { StreamEvent } from '../docker/json-stream.js';
import type { ImageFacts } from './facts.js';
import { parseEnv } from './env.js';
import { parseOsRelease } from './os-release.js';
import { TRITON_ROOT } from './payload.js';
import { DU_COMMAND } from './du-sizes.js';
import { measureSizes } from './measure-sizes.js';
import type { Logger } from '../core/logger.js';
import type { FactsCache } from './facts-cache.js';
import { imageLayers, layerFileFacts, type FileFacts } from './layer-facts.js';

export type SizeChoice = 'auto' | 'layers' | 'du' | 'stream';

export interface InspectOptions {
  signal?: AbortSignal;
  /** Measure backends/repoagents/caches. Default true. */
  payload?: boolean;
  /**
   * How to read the image's files and measure the components: 'layers' from the engine's layer
   * store on this host (no container; layer-store.ts); 'du' runs du in a short-lived container of
   * the image and streams the directories' tar only when du is missing or fails; 'stream' always
   * streams; 'auto' (default) is 'layers' where the store is readable here, else 'du'.
   */
  sizeMethod?: SizeChoice;
  /** Gets one line saying how the sizes were measured (debug; info when du was not usable). */
  log?: Logger;
  /**
   * 'full' requires /opt/tritonserver; 'min' a Triton min base; 'any' either (default); 'base' any
   * Linux image (a CPU-only compose starts from plain Ubuntu), no Triton check.
   */
  role?: 'full' | 'min' | 'any' | 'base';
  /** Pull when the engine lacks the image ('missing'), or never (default). */
  pull?: 'never' | 'missing' | 'always';
  auth?: RegistryAuthConfig;
  onPullEvent?: (event: StreamEvent) => void;
  runId?: string;
  /** Facts read from this image id's files by an earlier run (facts-cache.ts); read and filled. */
  cache?: FactsCache;
  /** The engine's inspect of `ref`, when the caller has it already (saves a request). */
  raw?: RawImage;
}

/** Reads the facts compose needs from an image through the Engine API, no shell required. */
export async function inspectImage(engine: Engine, ref: string, options: InspectOptions = {}): Promise<ImageFacts> {
  const { signal } = options;
  let raw = options.pull === 'always' ? undefined : (options.raw ?? (await inspectImageRaw(engine, ref, signal)));
  if (!raw && options.pull && options.pull !== 'never') {
    await pullImage(engine, ref, {
      ...(options.auth ? { auth: options.auth } : {}),
      ...(signal ? { signal } : {}),
      ...(options.onPullEvent ? { onEvent: options.onPullEvent } : {}),
    });
    raw = await inspectImageRaw(engine, ref, signal);
  }
  if (!raw) {
    throw new TslimError('IMAGE_NOT_FOUND', `image ${ref} is not in the engine`, {
      hint:
        options.pull === 'never' || options.pull === undefined
          ? 'pull it first, or pass --pull'
          : 'check the reference',
    });
  }
  throwIfAborted(signal);
  const env = parseEnv(raw.Config?.Env);
  const labels = raw.Config?.Labels ?? {};
  const runId = options.runId ?? newRunId();
  const sizeMethod = options.sizeMethod ?? 'auto';
  const cacheKey = `files:${raw.Id}:${options.payload === false ? 'no-payload' : sizeMethod}`;
  const cached = options.cache?.get<FileFacts>(cacheKey);
  if (cached) options.log?.debug(`facts of ${ref} from the cache (image ${raw.Id.slice(7, 19)})`);
  const files: FileFacts =
    cached ??
    (sizeMethod === 'auto' || sizeMethod === 'layers' ? await fromLayers(raw, ref, options) : undefined) ??
    (await fromContainer(engine, raw.Id, ref, runId, sizeMethod === 'stream' ? 'stream' : 'auto', options));
  if (!cached) await options.cache?.set(cacheKey, files);

  const tritonVersion = env.TRITON_SERVER_VERSION ?? files.tritonVersionFile?.trim() ?? undefined;
  const containerVersion = env.NVIDIA_TRITON_SERVER_VERSION ?? labels['com.nvidia.tritonserver.version'];
  const looksTriton = files.hasRoot || tritonVersion !== undefined || containerVersion !== undefined;
  const role = options.role ?? 'any';
  if (role !== 'base' && (!looksTriton || (role === 'full' && !files.hasRoot))) {
    throw new TslimError(
      'NOT_TRITON',
      `${ref} is not a Triton ${role === 'min' ? 'min ' : ''}image: ${files.hasRoot ? '' : `no ${TRITON_ROOT}, `}no TRITON_SERVER_VERSION`,
      {
        hint: 'pass the full tritonserver:<version>-py3 image (or --image full=REF)',
      },
    );
  }
  const os = files.osText === undefined ? undefined : parseOsRelease(files.osText);
  return {
    ref,
    id: raw.Id,
    size: raw.Size,
    layers: raw.RootFS?.Layers ?? [],
    ...(raw.Architecture ? { architecture: raw.Architecture } : {}),
    env,
    labels,
    entrypoint: toList(raw.Config?.Entrypoint),
    cmd: toList(raw.Config?.Cmd),
    user: raw.Config?.User ?? '',
    workingDir: raw.Config?.WorkingDir ?? '',
    ...(tritonVersion ? { tritonVersion } : {}),
    ...(containerVersion ? { containerVersion } : {}),
    // as compose.py: TRITON_SERVER_GPU_ENABLED decides when set; otherwise a CUDA base means GPU
    gpuEnabled:
      env.TRITON_SERVER_GPU_ENABLED !== undefined
        ? env.TRITON_SERVER_GPU_ENABLED === '1'
        : env.CUDA_VERSION !== undefined,
    ...(env.CUDA_VERSION ? { cudaVersion: env.CUDA_VERSION } : {}),
    ...(env._CUDA_COMPAT_PATH ? { cudaCompatPath: env._CUDA_COMPAT_PATH } : {}),
    ...(env.DCGM_VERSION ? { dcgmVersion: env.DCGM_VERSION } : {}),
    ...((labels['com.nvidia.build.id'] ?? env.NVIDIA_BUILD_ID)
      ? { buildId: labels['com.nvidia.build.id'] ?? env.NVIDIA_BUILD_ID }
      : {}),
    ...(labels['com.nvidia.build.ref'] ? { buildRef: labels['com.nvidia.build.ref'] } : {}),
    ...(os ? { os } : {}),
    sagemakerServe: files.serve,
    ...(files.sizeMethod ? { sizeMethod: files.sizeMethod } : {}),
    ...files.components,
  };
}

/**
 * File facts from the engine's layer store, no container; undefined (with the reason logged) where
 * it cannot answer, or an error when 'layers' was asked for by name.
 */
async function fromLayers(raw: RawImage, ref: string, options: InspectOptions): Promise<FileFacts | undefined> {
  const started = performance.now();
  const opened = await imageLayers(raw, options.signal, options.sizeMethod === 'layers').catch((cause: unknown) => {
    throwIfAborted(options.signal);
    throw cause;
  });
  const facts = 'store' in opened ? await layerFileFacts(opened.store, options.payload !== false) : opened;
  throwIfAborted(options.signal);
  if (!('unusable' in facts)) {
    const took = `${((performance.now() - started) / 1000).toFixed(2)} s`;
    const { read, layers } = 'store' in opened ? opened.store.records : { read: 0, layers: 0 };
    options.log?.debug(
      `files of ${ref}: read from the engine's layer store (the records of ${read} of ${layers} layers, the rest from their files), ${took}`,
    );
    return facts;
  }
  if (options.sizeMethod === 'layers') {
    throw new TslimError('ENGINE', `cannot read ${ref} from the engine's layer store: ${facts.unusable}`, {
      hint: 'run tslim as root on the engine host, or use --size-method du',
    });
  }
  options.log?.debug(`files of ${ref}: not from the layer store (${facts.unusable}); using a container`);
  return undefined;
}

/** File facts through a short-lived container of the image (the archive endpoint, du or the stream). */
async function fromContainer(
  engine: Engine,
  imageId: string,
  ref: string,
  runId: string,
  method: 'auto' | 'stream',
  options: InspectOptions,
): Promise<FileFacts> {
  const { signal } = options;
  const measure = options.payload !== false;
  return withScratchContainer(
    engine,
    imageId,
    runId,
    async (container) => {
      // the files are read before du starts: read while du ran, they delayed the engine's record of
      // its exit by up to 0.1 s here (docker events: start to die 24-144 ms, 25 ms without), and Podman
      // fails reads of a process that exits meanwhile (see outlastExit)
      const [hasRoot, osText, serve, tritonVersionFile] = await Promise.all([
        statPath(container, TRITON_ROOT).then((stat) => stat !== undefined),
        readSmallFile(container, '/etc/os-release').then(
          async (text) => text ?? (await readSmallFile(container, '/usr/lib/os-release')),
        ),
        statPath(container, '/usr/bin/serve').then((stat) => stat !== undefined),
        readSmallFile(container, `${TRITON_ROOT}/TRITON_VERSION`),
      ]);
      const measured =
        hasRoot && measure ? await measureSizes(container, { method, ref, log: options.log, signal }) : undefined;
      const components = measured?.components ?? { backends: [], repoagents: [], caches: [] };
      return { osText, hasRoot, serve, tritonVersionFile, components, sizeMethod: measured?.method };
    },
    signal,
    measure && method === 'auto' ? DU_COMMAND : undefined,
  );
}

function toList(value: string | string[] | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
