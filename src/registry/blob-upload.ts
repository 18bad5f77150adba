import { TslimError } from '../core/errors.js';
import { sha256Digest } from './digest.js';
import type { DistributionClient } from './distribution-client.js';

/** Uploads a blob unless the repository has it (monolithic: POST, then PUT ?digest=). */
export async function uploadBlob(client: DistributionClient, repository: string, bytes: Uint8Array): Promise<void> {
  const digest = sha256Digest(bytes);
  const scope = pushScope(repository);
  const head = await client.request('HEAD', `/v2/${repository}/blobs/${digest}`, { scope });
  if (head.ok) return;
  const start = await client.request('POST', `/v2/${repository}/blobs/uploads/`, { scope });
  await client.ensureOk(start, `POST a blob upload to ${repository}`);
  await start.body?.cancel();
  const location = start.headers.get('location');
  if (!location)
    throw new TslimError('REGISTRY_FAILED', `the registry started an upload to ${repository} without a Location`);
  const url = new URL(location, client.baseUrl);
  url.searchParams.set('digest', digest);
  const put = await client.request('PUT', `${url.pathname}${url.search}`, {
    scope,
    body: bytes,
    contentType: 'application/octet-stream',
  });
  await client.ensureOk(put, `PUT the blob ${digest}`);
  await put.body?.cancel();
}

/** The scope a push to REPOSITORY asks its token for. */
export function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}
