import { isTslimError, TslimError } from '../core/errors.js';
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
import { checkHarborProject, harborArtifact, harborProject } from './harbor.js';
import { apiLocation, isLoopbackRegistry } from './loopback.js';
import { LayerProgress } from './layer-progress.js';
import { classifyPushError, noPushPermission } from './push-errors.js';
import { attachArtifact, manifestDescriptor, type AttachRequest, type AttachResult } from './referrers.js';
import { isTransientError, withRetry } from './retry.js';
import { optional } from '../core/optional.js';
import { expiredToken } from './token-expiry.js';

/** Pushes again after a token expired mid-push at most this often (a registry that rejects every token is not expiry). */
const MAX_TOKEN_RENEWALS = 2;

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
  /** An artifact to attach to the pushed manifest as its OCI 1.1 referrer (push --sbom). */
  attach?: Omit<AttachRequest, 'repository' | 'subject'>;
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
  /** Pushes started again because the registry's token expired during one (token-auth registries). */
  tokenRenewals?: number;
  /** The attached artifact (push --sbom): its manifest digest and how the registry lists it. */
  attached?: AttachResult & { artifactType: string };
  /** With --harbor: the project and Harbor's artifact size (manifest, config and layers). */
  harbor?: { project: string; artifactSize: number };
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
    ...optional('auth', request.auth),
    ...optional('insecure', request.insecure),
    ...optional('signal', signal),
  });
  const retry = {
    attempts: request.attempts ?? 4,
    baseDelayMs: request.retryBaseMs ?? 1000,
    ...optional('signal', signal),
  };
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
  // a token registry says up front what the account may do: a pull-only robot fails here, named
  const granted = await withRetry(() => client.grantedActions(loc.repository), registryRetry);
  if (granted && !granted.includes('push')) {
    progress.fail();
    throw noPushPermission(loc.registry, loc.repository, request.auth?.username, granted, request.harbor === true);
  }
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
  let renewals = 0;
  let events;
  try {
    events = await withRetry(
      async (attempt) => {
        attempts = attempt;
        const layers = new LayerProgress();
        progress.start(`pushing ${target}${attempt > 1 ? ` (try ${attempt})` : ''}`);
        return enginePush(engine, name, tag, {
          ...optional('auth', request.auth),
          plainHttp: request.insecure === true || isLoopbackRegistry(loc.registry),
          ...optional('signal', signal),
          onEvent: (event) => {
            if (layers.update(event)) progress.update(`pushing ${target}: ${layers.summary()}`);
            const done = layers.finished(event);
            if (done) log.debug(done);
          },
        }).catch(async (error: unknown) => {
          const classified = classifyPushError(error, loc.registry, request.auth?.username);
          if (isTslimError(classified) && classified.code === 'REGISTRY_AUTH' && renewals < MAX_TOKEN_RENEWALS) {
            throw (await expiredToken(client, loc.repository, classified)) ?? classified;
          }
          throw classified;
        });
      },
      {
        ...retry,
        isTransient: (error) => {
          const renew = isTslimError(error) && error.details?.tokenExpired === true;
          if (renew) renewals += 1;
          return renew || isTransientError(error);
        },
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
  let harbor: PushResult['harbor'];
  if (request.harbor) {
    const artifact = await withRetry(() => harborArtifact(client, loc.repository, tag, loc.registry), registryRetry);
    if (artifact?.digest !== after.digest) {
      progress.fail();
      throw new TslimError(
        'REGISTRY_FAILED',
        `Harbor's API lists ${target} as ${artifact?.digest ?? 'nothing'}, the registry serves ${after.digest}`,
        { hint: "Harbor indexes pushes itself; push again, or check Harbor core's log", details: { ref: target } },
      );
    }
    harbor = { project: harborProject(loc.repository), artifactSize: artifact.size };
  }
  let attached: PushResult['attached'];
  if (request.attach) {
    const attach = request.attach;
    progress.update(`attaching ${attach.blob.title} to ${target}`);
    const subject = await withRetry(() => manifestDescriptor(client, loc.repository, after.digest), registryRetry);
    const result = await withRetry(
      () => attachArtifact(client, { ...attach, repository: loc.repository, subject }),
      registryRetry,
    );
    attached = { ...result, artifactType: attach.artifactType };
    log.info(
      `attached ${attach.blob.title} to ${target} as ${result.digest} (${result.via === 'tag-schema' ? `referrers tag ${result.tag ?? ''}` : 'referrers API'})`,
    );
  }
  progress.succeed(
    `pushed ${target} ${after.digest}${after.compressedBytes === undefined ? '' : ` (${formatBytes(after.compressedBytes)} compressed)`}`,
  );
  return {
    ref: target,
    imageId: local.Id,
    digest: after.digest,
    ...optional('compressedBytes', after.compressedBytes),
    ...optional('replaced', replaced),
    attempts,
    ...(renewals ? { tokenRenewals: renewals } : {}),
    ...optional('harbor', harbor),
    ...optional('attached', attached),
    durationMs,
  };
}
