import { TslimError } from '../core/errors.js';
import type { DistributionClient } from './distribution-client.js';

/**
 * After an auth failure from the engine on a token registry: if a fresh token still grants push,
 * the engine's token expired (or was revoked) during the push, and pushing again helps: the engine
 * fetches a new token and skips the layers it already uploaded. dockerd keeps a token for
 * max(expires_in, 60 s) and does not retry a 401 itself (moby distribution/errors.go retryOnError).
 */
export async function expiredToken(
  client: DistributionClient,
  repository: string,
  error: TslimError,
): Promise<TslimError | undefined> {
  if (!client.usesTokens) return undefined;
  const granted = await client.grantedActions(repository).catch(() => undefined);
  if (!granted?.includes('push')) return undefined;
  return new TslimError('REGISTRY_AUTH', `the registry's token expired during the push (${error.message})`, {
    cause: error,
    details: { ...error.details, tokenExpired: true },
  });
}
