import { asReadable } from './adapters.js';
import { pack } from 'tar-stream';
import { TslimError } from '../core/errors.js';
import type { Engine } from './engine.js';
import { engineError } from './images.js';
import { followStream, type StreamEvent } from './json-stream.js';

/** A build context held in memory: file name -> contents. */
export type BuildContext = Record<string, string | Uint8Array>;

export interface BuildOptions {
  context: BuildContext;
  /** Name of the Dockerfile inside the context. */
  dockerfile: string;
  tag: string;
  buildargs?: Record<string, string>;
  labels?: Record<string, string>;
  networkmode?: string;
  nocache?: boolean;
  pull?: boolean;
  /** Registry credentials per host for pulls during the build (X-Registry-Config). */
  registryconfig?: Record<string, { username: string; password: string }>;
  signal?: AbortSignal;
  onEvent?: (event: StreamEvent) => void;
}

export interface BuildResult {
  id: string;
  events: StreamEvent[];
}

/** Packs the in-memory context as a tar stream, the body the Engine API's /build expects. */
export function packContext(context: BuildContext): NodeJS.ReadableStream {
  const tar = pack();
  for (const [name, data] of Object.entries(context))
    tar.entry({ name, mode: 0o644, mtime: new Date(0) }, Buffer.from(data));
  tar.finalize();
  return asReadable(tar, 'a build context');
}

/**
 * Builds an image with the classic builder. `forcerm` removes intermediate containers even when a
 * step fails; the stream helper rejects on the first error line, so a failed RUN is a rejection.
 */
export async function buildImage(engine: Engine, options: BuildOptions): Promise<BuildResult> {
  let stream: NodeJS.ReadableStream;
  try {
    const raw: unknown = await engine.buildImage(packContext(options.context), {
      dockerfile: options.dockerfile,
      t: options.tag,
      rm: true,
      forcerm: true,
      ...(options.buildargs && Object.keys(options.buildargs).length > 0 ? { buildargs: options.buildargs } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.networkmode ? { networkmode: options.networkmode } : {}),
      nocache: options.nocache === true,
      pull: options.pull === true,
      ...(options.registryconfig ? { registryconfig: options.registryconfig } : {}),
      abortSignal: options.signal,
    });
    stream = asReadable(raw, `the build of ${options.tag}`);
  } catch (cause) {
    throw engineError(cause, `starting the build of ${options.tag}`);
  }
  const events = await followStream(stream, {
    errorCode: 'BUILD_FAILED',
    what: `build of ${options.tag}`,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const id = builtImageId(events);
  if (!id) throw new TslimError('BUILD_FAILED', `build of ${options.tag} ended without an image id`);
  return { id, events };
}

/**
 * The step a classic build stream line starts, as `Step N/M : INSTRUCTION`: Docker writes it so;
 * Podman (Buildah) writes `STEP N/M: INSTRUCTION`, in a multi-stage build prefixed by `[stage/stages] `
 * and counted per stage (docs/engines.md); the stage prefix is kept. Other lines give undefined.
 */
export function buildStep(text: string): string | undefined {
  const docker = /^Step \d+\/\d+ : .*/.exec(text.trim());
  if (docker) return docker[0];
  const podman = /^(\[\d+\/\d+\] )?STEP (\d+)\/(\d+): (.*)/.exec(text.trim());
  return podman ? `${podman[1] ?? ''}Step ${podman[2]}/${podman[3]} : ${podman[4]}` : undefined;
}

/** The result id: `aux.ID` (classic with API >= 1.30, and BuildKit's `moby.image.id`) or "Successfully built <id>". */
export function builtImageId(events: readonly StreamEvent[]): string | undefined {
  const aux = events
    .map((e) => e.aux?.ID)
    .filter((id): id is string => typeof id === 'string')
    .at(-1);
  if (aux) return aux;
  const built = events
    .map((e) => /Successfully built ([0-9a-f]{12,64})/.exec(e.stream ?? '')?.[1])
    .filter(Boolean)
    .at(-1);
  return built ?? undefined;
}
