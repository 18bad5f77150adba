import { createHash } from 'node:crypto';

/** Manifest media types tslim asks for; the engine pushes docker v2, others push OCI. */
export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.ociIndex,
].join(', ');

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string };
}

/** The fields of an image manifest or index that tslim reads. */
export interface ManifestJson {
  schemaVersion?: number;
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function isIndex(manifest: ManifestJson, contentType: string | undefined): boolean {
  const type = manifest.mediaType ?? contentType ?? '';
  return (
    type.startsWith(MEDIA_TYPES.dockerList) ||
    type.startsWith(MEDIA_TYPES.ociIndex) ||
    Array.isArray(manifest.manifests)
  );
}

/** Compressed image size as the registry stores it: the sum of the manifest's layer sizes. */
export function compressedLayerBytes(manifest: ManifestJson): number | undefined {
  if (!Array.isArray(manifest.layers)) return undefined;
  let total = 0;
  for (const layer of manifest.layers) {
    if (typeof layer.size !== 'number') return undefined;
    total += layer.size;
  }
  return total;
}

/** From an index, the digest of the platform's manifest (linux/amd64 unless told otherwise). */
export function pickPlatform(manifest: ManifestJson, os = 'linux', architecture = 'amd64'): string | undefined {
  const match = manifest.manifests?.find((m) => m.platform?.os === os && m.platform?.architecture === architecture);
  return (match ?? manifest.manifests?.[0])?.digest;
}

/** The Digest in a push stream's aux line (`{"aux":{"Tag":"x","Digest":"sha256:…","Size":123}}`). */
export function digestFromPushEvents(
  events: readonly { aux?: Record<string, unknown>; status?: string }[],
): string | undefined {
  for (const event of events) {
    const digest = event.aux?.Digest;
    if (typeof digest === 'string') return digest;
  }
  // older engines only print "tag: digest: sha256:… size: N"
  for (const event of events) {
    const m = /digest: (sha256:[a-f0-9]{64})/.exec(event.status ?? '');
    if (m?.[1]) return m[1];
  }
  return undefined;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (RFC 7235 auth-params). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m?.[1]) return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  for (const p of (m[2] ?? '').matchAll(re)) {
    if (p[1]) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme: m[1].toLowerCase(), params };
}
