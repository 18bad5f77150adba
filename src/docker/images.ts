import type Docker from 'dockerode';
import { TslimError } from '../core/errors.js';
import { engineUnreachable, isConnectionError, type Engine } from './engine.js';
import { followStream, type StreamEvent } from './json-stream.js';

export type RawImage = Docker.ImageInspectInfo;

export interface RegistryAuthConfig {
  username: string;
  password: string;
  serveraddress: string;
}

function statusOf(cause: unknown): number | undefined {
  return (cause as { statusCode?: number } | undefined)?.statusCode;
}

/** Engine errors mapped to tslim's: engine down, or anything else as ENGINE. */
export function engineError(cause: unknown, what: string): TslimError {
  if (cause instanceof TslimError) return cause;
  if (isConnectionError(cause)) return engineUnreachable(cause);
  const message =
    (cause as { json?: { message?: string } })?.json?.message ?? (cause as Error)?.message ?? String(cause);
  return new TslimError('ENGINE', `${what}: ${message}`, { cause });
}

/** Inspects an image by reference; undefined when the engine does not have it. */
export async function inspectImageRaw(
  engine: Engine,
  ref: string,
  signal?: AbortSignal,
): Promise<RawImage | undefined> {
  try {
    signal?.throwIfAborted();
    return await engine.getImage(ref).inspect();
  } catch (cause) {
    if (statusOf(cause) === 404) return undefined;
    throw engineError(cause, `inspecting ${ref}`);
  }
}

export async function imageExists(engine: Engine, ref: string, signal?: AbortSignal): Promise<boolean> {
  return (await inspectImageRaw(engine, ref, signal)) !== undefined;
}

export interface PullOptions {
  auth?: RegistryAuthConfig;
  signal?: AbortSignal;
  onEvent?: (event: StreamEvent) => void;
}

/** Pulls a reference; rejects on any error line in the stream. */
export async function pullImage(engine: Engine, ref: string, options: PullOptions = {}): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await engine.pull(ref, {
      ...(options.auth ? { authconfig: options.auth } : {}),
      abortSignal: options.signal,
    });
  } catch (cause) {
    const status = statusOf(cause);
    // the engine's own words ("pull access denied ... may require 'docker login'") decide for callers
    // (a stream request's error body is only in the message: docker-modem leaves json null)
    // docker-modem puts "(HTTP code 500) server error - " before the engine's words: they are what counts
    const engineMessage = (
      (cause as { json?: { message?: string } } | undefined)?.json?.message ?? (cause as Error | undefined)?.message
    )?.replace(/^\(HTTP code \d+\) [^-]*- /, '');
    const details = engineMessage ? { engineMessage } : undefined;
    if (status === 404)
      throw new TslimError('IMAGE_NOT_FOUND', `image ${ref} was not found in its registry`, { cause, details });
    if (status === 401 || status === 403) {
      throw new TslimError('REGISTRY_AUTH', `the registry refused to let us pull ${ref}`, {
        cause,
        details,
        hint: 'log in (docker login) or set DOCKER_CONFIG to a config.json with credentials for that registry',
      });
    }
    if (isConnectionError(cause)) throw engineUnreachable(cause);
    // an engine that answered with an error: its words travel as details (the registry may be the cause)
    throw new TslimError('ENGINE', `pulling ${ref}: ${engineMessage ?? String(cause)}`, { cause, details });
  }
  await followStream(stream, { ...options, errorCode: 'IMAGE_NOT_FOUND', what: `pull of ${ref}` });
}

/** Tags an image: `repo[:tag]` split on the last colon after the last slash. */
export async function tagImage(engine: Engine, source: string, target: string): Promise<void> {
  const slash = target.lastIndexOf('/');
  const colon = target.lastIndexOf(':');
  const [repo, tag] = colon > slash ? [target.slice(0, colon), target.slice(colon + 1)] : [target, 'latest'];
  try {
    await engine.getImage(source).tag({ repo, tag });
  } catch (cause) {
    throw engineError(cause, `tagging ${source} as ${target}`);
  }
}

/** Removes an image or tag; a missing one is not an error. */
export async function removeImage(engine: Engine, ref: string, options: { force?: boolean } = {}): Promise<void> {
  try {
    await engine.getImage(ref).remove({ force: options.force ?? false });
  } catch (cause) {
    if (statusOf(cause) === 404) return;
    throw engineError(cause, `removing ${ref}`);
  }
}
