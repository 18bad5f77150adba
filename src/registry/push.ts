import { TslimError } from '../core/errors.js';
import { formatImageRef, parseImageRef } from '../core/image-ref.js';
import type { Logger } from '../core/logger.js';
import type { Progress } from '../core/progress.js';
import { formatBytes } from '../core/sizes.js';
import type { Engine } from '../docker/engine.js';
import { inspectImageRaw } from '../docker/images.js';
import { enginePush, tagForPush } from '../docker/push.js';
import type { RegistryAuth } from './credentials.js';
import { digestFromPushEvents } from './digest.js';
import { DistributionClient } from './distribution-client.js';
import { checkHarborProject } from './harbor.js';
import { apiLocation } from './loopback.js';
import { LayerProgress } from './layer-progress.js';
import { isTransientError, withRetry } from './retry.js';

export interface PushRequest {
  /** Local image: reference or ID. */
  image: string;
  /** Where it goes: registry/repository:tag. */
  ref: string;
  auth?: RegistryAuth;
  /** Overwrite a tag that points at another image. */
  force?: boolean;
  /** Check the Harbor project first. */
  harbor?: boolean;
  /** Plain HTTP to the registry (loopback registries always are). */
  insecure?: boolean;
  /** Tries for the push and registry reads, first included; default 4. */
  attempts?: number;
  retryBaseMs?: number;
}

export interface PushDeps {
  engine: Engine;
  log: Logger;
  progress: Progress;
  signal?: AbortSignal;
}

export interface PushResult {
  ref: string;
  imageId: string;
  /** Manifest digest, as the engine reported it and the registry confirmed it. */
  digest: string;
  compressedBytes?: number;
  /** Digest the tag pointed at before, when --force replaced another image. */
  replaced?: string;
  attempts: number;
  durationMs: number;
}

/** Pushes a local image to REF and confirms the digest through the registry's own API. */
export async function pushImage(request: PushRequest, deps: PushDeps): Promise<PushResult> {
  const { engine, log, progress, signal } = deps;
  const parsed = parseImageRef(request.ref);
  if (parsed.digest) throw new TslimError('USAGE', `push target '${request.ref}' names a digest; give a tag`);
  const tag = parsed.tag ?? 'latest';
  const target = formatImageRef({ registry: parsed.registry, repository: parsed.repository, tag });
  const name = formatImageRef({ registry: parsed.registry, repository: parsed.repository });
  const loc = apiLocation(parsed);
  const client = new DistributionClient({
    registry: loc.registry,
    ...opt('auth', request.auth),
    ...opt('insecure', request.insecure),
    ...opt('signal', signal),
  });
  const retry = { attempts: request.attempts ?? 4, baseDelayMs: request.retryBaseMs ?? 1000, ...opt('signal', signal) };
  const registryRetry = {
    ...retry,
    onRetry: ({ attempt, delayMs, error }: { attempt: number; delayMs: number; error: unknown }) =>
      log.warn(
        `registry ${loc.registry}: ${(error as Error).message}; try ${attempt + 1}/${retry.attempts} in ${(delayMs / 1000).toFixed(1)} s`,
      ),
  };

  const local = await inspectImageRaw(engine, request.image, signal);
  if (!local)
    throw new TslimError('IMAGE_NOT_FOUND', `image ${request.image} is not in the engine`, {
      hint: 'build or pull it first',
    });

  progress.start(`checking ${target}`);
  if (request.harbor) await withRetry(() => checkHarborProject(client, loc.repository, loc.registry), registryRetry);
  const before = await withRetry(() => client.manifest(loc.repository, tag), registryRetry);
  let replaced: string | undefined;
  if (before && before.configDigest !== local.Id) {
    if (!request.force) {
      progress.fail();
      throw new TslimError(
        'TAG_EXISTS',
        `${target} already exists in the registry as ${before.digest}, a different image`,
        {
          hint: 'pick another tag, or pass --force to overwrite it',
          details: { ref: target, remoteDigest: before.digest },
        },
      );
    }
    replaced = before.digest;
    log.warn(`--force: replacing ${target} (was ${before.digest})`);
  }

  const started = Date.now();
  const tagged = await tagForPush(engine, local.Id, target, signal);
  let attempts = 0;
  let events;
  try {
    events = await withRetry(
      async (attempt) => {
        attempts = attempt;
        const layers = new LayerProgress();
        progress.start(`pushing ${target}${attempt > 1 ? ` (try ${attempt})` : ''}`);
        return enginePush(engine, name, tag, {
          ...opt('auth', request.auth),
          ...opt('signal', signal),
          onEvent: (event) => {
            if (layers.update(event)) progress.update(`pushing ${target}: ${layers.summary()}`);
            const done = layers.finished(event);
            if (done) log.debug(done);
          },
        }).catch((error: unknown) => {
          throw classifyPushError(error, loc.registry, request.auth?.username);
        });
      },
      {
        ...retry,
        isTransient: isTransientError,
        onRetry: ({ attempt, delayMs, error }) => {
          progress.stop();
          log.warn(
            `${(error as Error).message}; retrying (${attempt + 1}/${retry.attempts}) in ${(delayMs / 1000).toFixed(1)} s`,
          );
        },
      },
    );
  } catch (error) {
    progress.fail(`push of ${target} failed`);
    throw error;
  } finally {
    await tagged
      .release()
      .catch((e: unknown) => log.warn(`could not remove the temporary tag ${target}: ${(e as Error).message}`));
  }
  const durationMs = Date.now() - started;

  const pushed = digestFromPushEvents(events);
  if (!pushed) throw new TslimError('REGISTRY_FAILED', `the engine pushed ${target} but reported no digest`);
  progress.update(`confirming ${target}`);
  const after = await withRetry(() => client.manifest(loc.repository, tag), registryRetry);
  if (!after) throw new TslimError('REGISTRY_FAILED', `${target} is not in the registry after the push`);
  if (after.digest !== pushed) {
    progress.fail();
    throw new TslimError(
      'REGISTRY_FAILED',
      `the registry has ${target} as ${after.digest}, the engine pushed ${pushed}`,
      {
        hint: 'someone else pushed the same tag at the same time; push again',
        details: { engineDigest: pushed, registryDigest: after.digest },
      },
    );
  }
  progress.succeed(
    `pushed ${target} ${after.digest}${after.compressedBytes === undefined ? '' : ` (${formatBytes(after.compressedBytes)} compressed)`}`,
  );
  return {
    ref: target,
    imageId: local.Id,
    digest: after.digest,
    ...opt('compressedBytes', after.compressedBytes),
    ...opt('replaced', replaced),
    attempts,
    durationMs,
  };
}

/** An engine push failure that is about credentials becomes REGISTRY_AUTH, naming registry and user. */
function classifyPushError(error: unknown, registry: string, username: string | undefined): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (/unauthorized|authentication required|denied|no basic auth credentials/i.test(message)) {
    return new TslimError(
      'REGISTRY_AUTH',
      `registry ${registry} refused the push ${username ? `for user '${username}'` : '(no credentials)'}: ${message}`,
      {
        cause: error,
        hint: 'check --username/--password-stdin, TSLIM_REGISTRY_USERNAME/TSLIM_REGISTRY_PASSWORD or `docker login` (docs/push.md)',
        details: { registry, ...(username ? { username } : {}) },
      },
    );
  }
  return error;
}

function opt<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
}
