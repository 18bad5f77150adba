import { isTslimError } from '../core/errors.js';
import { parseImageRef } from '../core/image-ref.js';
import type { Logger } from '../core/logger.js';
import { resolveAuth } from './credentials.js';
import { DistributionClient } from './distribution-client.js';
import { apiLocation } from './loopback.js';

export interface CompressedSizeOptions {
  insecure?: boolean;
  signal?: AbortSignal;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
}

/**
 * The compressed size of a reference as its registry stores it (sum of the manifest's layers).
 * Undefined, with a warning, when the reference names no registry host or the registry cannot say:
 * a report must not fail because a registry is away. Docker Hub short names are not looked up.
 */
export async function compressedSizeOf(ref: string, options: CompressedSizeOptions = {}): Promise<number | undefined> {
  let parsed;
  try {
    parsed = parseImageRef(ref);
  } catch {
    return undefined; // an image ID: nothing to ask a registry
  }
  if (parsed.registry === 'docker.io') return undefined;
  const loc = apiLocation(parsed);
  try {
    const auth = await resolveAuth(parsed.registry, options.env ? { env: options.env } : {});
    const client = new DistributionClient({
      registry: loc.registry,
      ...(auth ? { auth } : {}),
      ...(options.insecure ? { insecure: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const manifest = await client.manifest(loc.repository, parsed.digest ?? parsed.tag ?? 'latest');
    if (!manifest) options.log?.debug(`${ref} is not in its registry; compressed size unknown`);
    return manifest?.compressedBytes;
  } catch (error) {
    if (isTslimError(error) && error.code === 'ABORTED') throw error;
    options.log?.warn(`compressed size of ${ref} unknown: ${(error as Error).message}`);
    return undefined;
  }
}
