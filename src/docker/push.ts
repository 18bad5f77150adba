import type Docker from 'dockerode';
import { TslimError } from '../core/errors.js';
import type { Engine } from './engine.js';
import { engineError, inspectImageRaw, removeImage, tagImage, type RegistryAuthConfig } from './images.js';
import { followStream, type StreamEvent } from './json-stream.js';

export interface EnginePushOptions {
  auth?: RegistryAuthConfig;
  /**
   * The registry talks plain HTTP (--insecure, or loopback). Docker falls back to HTTP for
   * 127.0.0.0/8 and its insecure-registries by itself; Podman's compat push verifies TLS unless
   * registries.conf marks the registry insecure or the request says `tlsVerify=false`
   * (libpod pkg/api/handlers/compat/images_push.go), so tslim says it. Docker ignores the parameter.
   */
  plainHttp?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: StreamEvent) => void;
}

/** POST /images/{name}/push for one tag; the events of the stream, rejecting on an error line. */
export async function enginePush(
  engine: Engine,
  name: string,
  tag: string,
  options: EnginePushOptions = {},
): Promise<StreamEvent[]> {
  let stream: NodeJS.ReadableStream;
  try {
    // dockerode sends authconfig as X-Registry-Auth (base64 JSON): no escaping of '$' or '+' involved
    stream = await engine.getImage(name).push({
      tag,
      ...(options.auth ? { authconfig: options.auth } : {}),
      ...(options.plainHttp ? { tlsVerify: false } : {}),
      abortSignal: options.signal,
    } as Docker.ImagePushOptions);
  } catch (cause) {
    throw engineError(cause, `pushing ${name}:${tag}`);
  }
  return followStream(stream, {
    errorCode: 'REGISTRY_FAILED',
    what: `push of ${name}:${tag}`,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}

/** A temporary tag for a push and how to undo it (only what tslim itself changed). */
export interface PushTag {
  /** Local image ID that was pushed. */
  imageId: string;
  created: boolean;
  release(): Promise<void>;
}

/**
 * Points `target` at `source`. If target already named another local image, it is pointed back
 * afterwards; if tslim created it, only that tag is removed, and never the image's last name.
 * (A tag cannot carry a label; the image keeps its own labels.)
 */
export async function tagForPush(
  engine: Engine,
  source: string,
  target: string,
  signal?: AbortSignal,
): Promise<PushTag> {
  const image = await inspectImageRaw(engine, source, signal);
  if (!image) {
    throw new TslimError('IMAGE_NOT_FOUND', `image ${source} is not in the engine`, {
      hint: 'build or pull it first; `docker images` lists what is there',
    });
  }
  const existing = await inspectImageRaw(engine, target, signal);
  if (existing?.Id === image.Id) return { imageId: image.Id, created: false, release: () => Promise.resolve() };
  await tagImage(engine, image.Id, target);
  return {
    imageId: image.Id,
    created: true,
    release: async () => {
      if (existing) {
        await tagImage(engine, existing.Id, target);
        return;
      }
      const now = await inspectImageRaw(engine, image.Id);
      const names = now?.RepoTags ?? [];
      if (names.some((t) => t !== target)) await removeImage(engine, target);
    },
  };
}
