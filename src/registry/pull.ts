import { TslimError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { Engine } from '../docker/engine.js';
import { pullImage } from '../docker/images.js';
import type { StreamEvent } from '../docker/json-stream.js';
import type { Progress } from '../core/progress.js';
import { PullProgress } from './pull-progress.js';
import { NGC_REGISTRY, pullCredentials, type PullCredentials } from './ngc.js';
import { isTransientError, withRetry } from './retry.js';
import { registryHost, registryUnreachable, unreachablePullError, type PullPurpose } from './unreachable.js';

export interface PullRequest {
  /** The reference as the user wrote it (nvcr.io/...): names the image in errors, picks NGC auth. */
  requested: string;
  /** What the engine pulls: `requested` rewritten through --registry-mirror (or the same). */
  used: string;
}

export interface PullOptions {
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  onEvent?: (event: StreamEvent) => void;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Gets the password before any engine call, so the caller can redact it. */
  onSecret?: (secret: string) => void;
  /** Total tries of the pull call (default 4); the engine retries layer downloads on its own. */
  attempts?: number;
  baseDelayMs?: number;
  /** Credentials the user gave by hand (--username/--password-stdin), instead of the registry's own. */
  credentials?: PullCredentials;
  /** Which command pulls: picks the air-gapped way out named when the registry cannot be reached. */
  purpose?: PullPurpose;
}

const DENIED =
  /\b(?:unauthorized|denied|authentication required|incorrect username or password|forbidden|no basic auth credentials)\b/i;
const MISSING = /manifest unknown|not found|does not exist|name unknown/i;

function engineText(error: unknown): string {
  if (!(error instanceof TslimError)) return String((error as Error)?.message ?? error);
  const engine = error.details?.engineMessage;
  return typeof engine === 'string' ? engine : error.message;
}

function unreachableForGood(error: unknown): boolean {
  const found = registryUnreachable(engineText(error), '');
  return found !== undefined && found.kind !== 'timeout';
}

/** A refused or missing image, named as the user asked for it, with where the credentials came from. */
function describeFailure(error: unknown, request: PullRequest, creds: PullCredentials, purpose: PullPurpose): unknown {
  if (!(error instanceof TslimError) || error.code === 'ABORTED' || error.code === 'ENGINE_UNREACHABLE') return error;
  const secrets = creds.auth ? [creds.auth.password] : [];
  const text = redact(engineText(error), secrets).trim();
  // the network between the engine and the registry: neither the engine's fault nor the credentials'
  const unreachable = registryUnreachable(text, registryHost(request.used));
  if (unreachable) return unreachablePullError(unreachable, request, text, purpose, error);
  const via = request.used === request.requested ? '' : ` (through ${request.used})`;
  const who = creds.auth ? `credentials from ${creds.source} (user ${creds.auth.username})` : 'no credentials';
  const details = { repository: request.requested, pulled: request.used, credentials: creds.source };
  const ngc = request.requested.startsWith(`${NGC_REGISTRY}/`);
  if (DENIED.test(text) || error.code === 'REGISTRY_AUTH') {
    return new TslimError(
      'REGISTRY_AUTH',
      `pull of ${request.requested}${via} was refused or the repository does not exist, with ${who}: ${text}`,
      {
        cause: error,
        details,
        hint: ngc
          ? 'check the repository name and that your NGC API key may pull it: set NGC_API_KEY or run `docker login nvcr.io` (username $oauthtoken, password the key)'
          : 'check the repository name; log in (docker login) or set DOCKER_CONFIG to a config.json with credentials for that registry',
      },
    );
  }
  if (!MISSING.test(text) && isTransientError(error)) {
    return new TslimError('REGISTRY_FAILED', `pull of ${request.requested}${via} failed: ${text}`, {
      cause: error,
      details,
      hint: 'the connection to the registry kept breaking; try again, or check the registry/mirror',
    });
  }
  if (MISSING.test(text) || error.code === 'IMAGE_NOT_FOUND') {
    return new TslimError('IMAGE_NOT_FOUND', `image ${request.requested}${via} was not found (${who}): ${text}`, {
      cause: error,
      details,
      hint: `check the repository and the tag '${/:([^/:@]+)$/.exec(request.requested)?.[1] ?? 'latest'}'${
        via
          ? `; a mirror must hold it (a Harbor proxy-cache project fetches it on the first pull, if it reaches ${registryHost(request.requested)})`
          : ''
      }`,
    });
  }
  // credentials are named only where the registry refused or did not show the image (above)
  return new TslimError(error.code, `pull of ${request.requested}${via} failed: ${text}`, {
    cause: error,
    details,
  });
}

/**
 * Pulls an image with the credentials its registry wants (NGC's `$oauthtoken` + key for nvcr.io),
 * retrying the pull call with backoff when the connection dropped (reset, EOF, 5xx): the engine
 * retries layer downloads itself but gives up on a manifest or token request that breaks.
 */
export async function pullFromRegistry(
  engine: Engine,
  request: PullRequest,
  options: PullOptions = {},
): Promise<PullCredentials> {
  const creds =
    options.credentials ?? (await pullCredentials(request.requested, request.used, options.env ?? process.env));
  if (creds.auth) options.onSecret?.(creds.auth.password);
  try {
    await withRetry(
      () =>
        pullImage(engine, request.used, {
          ...(creds.auth ? { auth: creds.auth } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        }),
      {
        attempts: options.attempts ?? 4,
        baseDelayMs: options.baseDelayMs ?? 1000,
        ...(options.signal ? { signal: options.signal } : {}),
        // an error naming a missing or refused image is final even when its text says EOF somewhere
        // and so is a registry the engine cannot reach, unless it only timed out
        isTransient: (e) =>
          isTransientError(e) && !DENIED.test(engineText(e)) && !MISSING.test(engineText(e)) && !unreachableForGood(e),
        ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      },
    );
  } catch (error) {
    throw describeFailure(error, request, creds, options.purpose ?? 'compose');
  }
  return creds;
}

/** A pull shown through `progress`: per-layer bytes/total on a live spinner (TTY), one line at the end otherwise. */
export async function pullWithProgress(
  engine: Engine,
  request: PullRequest,
  progress: Progress,
  options: PullOptions = {},
): Promise<PullCredentials> {
  const layers = new PullProgress();
  const title = request.used === request.requested ? request.requested : `${request.requested} (${request.used})`;
  progress.start(`pulling ${title}`);
  try {
    const creds = await pullFromRegistry(engine, request, {
      ...options,
      onEvent: (event) => {
        options.onEvent?.(event);
        if (layers.update(event) && progress.live) progress.update(`pulling ${title}: ${layers.render()}`);
      },
    });
    progress.succeed(`pulled ${title}: ${layers.summary()} (credentials: ${creds.source})`);
    return creds;
  } catch (error) {
    progress.fail(`pull of ${title} failed`);
    throw error;
  }
}
