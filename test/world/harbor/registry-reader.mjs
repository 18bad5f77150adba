// How the Harbor double reads the registry behind it for its API (Harbor keeps this in its
// database; the double asks distribution each time): catalog, tags, manifests, with its own token.
import { internalToken } from './token-service.mjs';

const ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

async function get(state, path, access, accept) {
  const res = await fetch(`http://${state.registry}${path}`, {
    headers: { authorization: `Bearer ${internalToken(state, access)}`, ...(accept ? { accept } : {}) },
    signal: AbortSignal.timeout(10_000),
  });
  return res;
}

const pull = (name) => [{ type: 'repository', name, actions: ['pull'] }];

export async function repositories(state, project) {
  // distribution pages the catalog (at most 1000 a page) and links the next page
  const names = [];
  const catalog = [{ type: 'registry', name: 'catalog', actions: ['*'] }];
  for (let path = '/v2/_catalog?n=1000'; path;) {
    const res = await get(state, path, catalog);
    if (!res.ok) throw new Error(`registry catalog answered ${res.status}`);
    names.push(...((await res.json()).repositories ?? []));
    path = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  }
  return names.filter((r) => r.startsWith(`${project}/`));
}

export async function tags(state, repository) {
  const res = await get(state, `/v2/${repository}/tags/list`, pull(repository));
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`registry tags/list answered ${res.status}`);
  return (await res.json()).tags ?? [];
}

/** digest, manifest media type, size (Harbor's artifact size: manifest + config + layers). */
export async function manifest(state, repository, reference) {
  const res = await get(state, `/v2/${repository}/manifests/${reference}`, pull(repository), ACCEPT);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`registry manifest answered ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const json = JSON.parse(bytes.toString('utf8'));
  const parts = [json.config, ...(json.layers ?? []), ...(json.manifests ?? [])].filter(Boolean);
  return {
    digest: res.headers.get('docker-content-digest'),
    manifestMediaType: json.mediaType ?? res.headers.get('content-type'),
    configMediaType: json.config?.mediaType,
    size: bytes.length + parts.reduce((sum, d) => sum + (d.size ?? 0), 0),
  };
}
