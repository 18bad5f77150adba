import { randomUUID } from 'node:crypto';
import { TslimError } from '../core/errors.js';
import { asReadable } from './adapters.js';
import { builtImageId, packContext, type BuildOptions, type BuildResult } from './build.js';
import { BuildKitLines } from './buildkit-lines.js';
import { decodeBuildKitStatus } from './buildkit-status.js';
import { dialEngine } from './dial.js';
import type { Engine } from './engine.js';
import { engineError } from './images.js';
import { followStream, type StreamEvent } from './json-stream.js';

/** BuildKit builds take what the classic ones take, less a pull during the build (see below). */
export type BuildKitOptions = Omit<BuildOptions, 'pull' | 'registryconfig'>;

const TRACE = 'moby.buildkit.trace';

/**
 * Builds an image with the engine's BuildKit builder: POST /build?version=2 with the same tar
 * context the classic path uploads. The engine serves the uploaded tar to BuildKit itself, so no
 * client session is needed for the context, and base images already in the engine resolve locally.
 *
 * tslim opens no BuildKit session (dockerode's buildImage would open one for version=2): a session
 * is only needed for registry credentials, secrets and local-directory contexts, and dockerode's
 * answers every registry host BuildKit asks with the one credential it was given and stays open
 * when the stream is destroyed (Ctrl-C). Without a session the engine refuses a pull during the
 * build ("no active sessions"), so tslim pulls the base images itself first, as it does for facts.
 *
 * Progress arrives as `moby.buildkit.trace` lines whose `aux` is a base64 StatusResponse; they are
 * decoded into the classic builder's lines (BuildKitLines) and handed to `onEvent`. Error lines end
 * the stream as with the classic builder (followStream). An abort cancels the build by its id.
 */
export async function buildImageBuildKit(engine: Engine, options: BuildKitOptions): Promise<BuildResult> {
  const buildid = randomUUID();
  let stream: NodeJS.ReadableStream;
  try {
    const res = await dialEngine(engine, {
      method: 'POST',
      path: '/build?',
      query: {
        version: '2',
        buildid,
        dockerfile: options.dockerfile,
        t: options.tag,
        ...(options.buildargs && Object.keys(options.buildargs).length > 0 ? { buildargs: options.buildargs } : {}),
        ...(options.labels ? { labels: options.labels } : {}),
        ...(options.networkmode ? { networkmode: options.networkmode } : {}),
        nocache: options.nocache === true,
      },
      body: packContext(options.context),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    stream = asReadable(res, `the BuildKit build of ${options.tag}`);
  } catch (cause) {
    if (options.signal?.aborted) throw new TslimError('ABORTED', 'interrupted', { cause });
    throw engineError(cause, `starting the BuildKit build of ${options.tag}`);
  }
  const lines = new BuildKitLines();
  const emit = (event: StreamEvent): void => options.onEvent?.(event);
  const onEvent = (event: StreamEvent): void => {
    const aux: unknown = event.aux;
    if (event.id === TRACE && typeof aux === 'string') {
      for (const line of lines.feed(decodeBuildKitStatus(aux))) emit(line);
      return;
    }
    if (event.error || event.errorDetail) for (const line of lines.flush()) emit(line);
    emit(event);
  };
  let events: StreamEvent[];
  try {
    events = await followStream(stream, {
      errorCode: 'BUILD_FAILED',
      what: `build of ${options.tag}`,
      ...(options.signal ? { signal: options.signal } : {}),
      onEvent,
    });
  } catch (error) {
    if (error instanceof TslimError && error.code === 'ABORTED') await cancelBuild(engine, buildid);
    throw error;
  }
  const id = builtImageId(events);
  if (!id) throw new TslimError('BUILD_FAILED', `build of ${options.tag} ended without an image id`);
  return { id, events };
}

/**
 * POST /build/cancel (API 1.31+, BuildKit builds only). Closing the /build connection cancels the
 * build too; the explicit cancel makes it immediate. Best effort: the run is being aborted anyway.
 */
async function cancelBuild(engine: Engine, buildid: string): Promise<void> {
  try {
    const res = await dialEngine(engine, {
      method: 'POST',
      path: '/build/cancel?',
      query: { id: buildid },
      signal: AbortSignal.timeout(5_000),
    });
    res.resume();
  } catch {
    // the engine forgets a build whose connection closed; nothing left to cancel
  }
}
