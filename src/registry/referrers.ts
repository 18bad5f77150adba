import { TslimError } from '../core/errors.js';
import { MANIFEST_ACCEPT, sha256Digest } from './digest.js';
import { pushScope, uploadBlob } from './blob-upload.js';
import type { DistributionClient } from './distribution-client.js';

/**
 * Attaching an artifact to a pushed image the OCI 1.1 way (distribution spec v1.1, "Pushing
 * Manifests with Subject" and "Referrers Tag Schema";
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md): an image manifest whose
 * `subject` is the image's manifest and whose `artifactType` says what it carries. A registry with
 * the referrers API answers the manifest PUT with `OCI-Subject` and lists it under
 * GET /v2/<name>/referrers/<digest>; for one without, the client keeps the list itself: an image
 * index tagged `sha256-<hex of the subject>`.
 */
export const OCI = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  empty: 'application/vnd.oci.empty.v1+json',
} as const;

/** The empty JSON object `{}`, the config of an artifact that has none (image spec v1.1, "Guidance for an Empty Descriptor"). */
const EMPTY = new TextEncoder().encode('{}');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface AttachRequest {
  /** Repository in the registry's API (Docker Hub's library/ prefix included). */
  repository: string;
  subject: Descriptor;
  artifactType: string;
  /** The artifact's one layer: its bytes, media type and file name. */
  blob: { bytes: Uint8Array; mediaType: string; title: string };
  annotations?: Record<string, string>;
}

export interface AttachResult {
  digest: string;
  size: number;
  /** How the registry learns the referrer: its referrers API, or the `sha256-<hex>` tag's index. */
  via: 'referrers-api' | 'tag-schema';
  /** The tag of the referrers index (tag schema only). */
  tag?: string;
}

export async function attachArtifact(client: DistributionClient, request: AttachRequest): Promise<AttachResult> {
  const { repository, subject } = request;
  const layer: Descriptor = {
    mediaType: request.blob.mediaType,
    digest: sha256Digest(request.blob.bytes),
    size: request.blob.bytes.length,
    annotations: { 'org.opencontainers.image.title': request.blob.title },
  };
  await uploadBlob(client, repository, EMPTY);
  await uploadBlob(client, repository, request.blob.bytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI.manifest,
    artifactType: request.artifactType,
    config: { mediaType: OCI.empty, digest: sha256Digest(EMPTY), size: EMPTY.length },
    layers: [layer],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...(request.annotations ? { annotations: request.annotations } : {}),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const digest = sha256Digest(bytes);
  const put = await client.request('PUT', `/v2/${repository}/manifests/${digest}`, {
    scope: pushScope(repository),
    body: bytes,
    contentType: OCI.manifest,
  });
  await client.ensureOk(put, `PUT the artifact manifest ${digest}`);
  await put.body?.cancel();
  const told = put.headers.get('docker-content-digest');
  if (told && told !== digest) {
    throw new TslimError(
      'REGISTRY_FAILED',
      `the registry stored the artifact manifest as ${told}, tslim sent ${digest}`,
    );
  }
  const descriptor: Descriptor = {
    mediaType: OCI.manifest,
    digest,
    size: bytes.length,
    artifactType: request.artifactType,
    ...(request.annotations ? { annotations: request.annotations } : {}),
  };
  // the spec's rule: no OCI-Subject header, so the registry will not list it; the client keeps the index
  const apiListsIt =
    put.headers.get('oci-subject') === subject.digest ||
    (await listedByApi(client, repository, subject.digest, digest));
  let result: AttachResult;
  if (apiListsIt) result = { digest, size: bytes.length, via: 'referrers-api' };
  else {
    const tag = referrersTag(subject.digest);
    await addToTagIndex(client, repository, tag, descriptor);
    result = { digest, size: bytes.length, via: 'tag-schema', tag };
  }
  await checkAttached(client, repository, subject.digest, result);
  return result;
}

/** The descriptor of a manifest in the registry (media type, digest, size), to name it as a subject. */
export async function manifestDescriptor(
  client: DistributionClient,
  repository: string,
  digest: string,
): Promise<Descriptor> {
  const response = await client.request('GET', `/v2/${repository}/manifests/${digest}`, {
    accept: MANIFEST_ACCEPT,
    scope: `repository:${repository}:pull`,
  });
  await client.ensureOk(response, `GET the manifest ${digest}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (sha256Digest(bytes) !== digest) {
    throw new TslimError('REGISTRY_FAILED', `the registry served ${digest} with other bytes (${sha256Digest(bytes)})`);
  }
  const json = JSON.parse(Buffer.from(bytes).toString('utf8')) as { mediaType?: string };
  const mediaType = json.mediaType ?? response.headers.get('content-type') ?? OCI.manifest;
  return { mediaType, digest, size: bytes.length };
}

/** The referrers tag schema's tag for a subject: `<alg>-<hex>`. */
export function referrersTag(subjectDigest: string): string {
  return subjectDigest.replace(':', '-');
}

/** The referrers of a subject: the API's list where the registry has it, else the tag schema's index; undefined when neither. */
export async function listReferrers(
  client: DistributionClient,
  repository: string,
  subjectDigest: string,
): Promise<{ via: AttachResult['via']; manifests: Descriptor[] } | undefined> {
  const api = await client.request('GET', `/v2/${repository}/referrers/${subjectDigest}`, {
    accept: OCI.index,
    scope: `repository:${repository}:pull`,
  });
  if (api.ok && (api.headers.get('content-type') ?? '').includes(OCI.index)) {
    const index = (await api.json()) as { manifests?: Descriptor[] };
    return { via: 'referrers-api', manifests: index.manifests ?? [] };
  }
  await api.body?.cancel();
  const tagged = await readIndex(client, repository, referrersTag(subjectDigest));
  return tagged ? { via: 'tag-schema', manifests: tagged.manifests ?? [] } : undefined;
}

async function listedByApi(
  client: DistributionClient,
  repository: string,
  subjectDigest: string,
  digest: string,
): Promise<boolean> {
  const list = await listReferrers(client, repository, subjectDigest);
  return list?.via === 'referrers-api' && list.manifests.some((m) => m.digest === digest);
}

/** Reads back what was attached: the manifest by digest, and the subject's list naming it. */
async function checkAttached(
  client: DistributionClient,
  repository: string,
  subjectDigest: string,
  result: AttachResult,
): Promise<void> {
  const back = await client.request('GET', `/v2/${repository}/manifests/${result.digest}`, {
    accept: OCI.manifest,
    scope: `repository:${repository}:pull`,
  });
  await client.ensureOk(back, `GET the artifact manifest ${result.digest}`);
  const served = sha256Digest(new Uint8Array(await back.arrayBuffer()));
  if (served !== result.digest) {
    throw new TslimError(
      'REGISTRY_FAILED',
      `the registry serves the artifact manifest as ${served}, tslim pushed ${result.digest}`,
    );
  }
  const list = await listReferrers(client, repository, subjectDigest);
  if (!list?.manifests.some((m) => m.digest === result.digest)) {
    throw new TslimError(
      'REGISTRY_FAILED',
      `the registry does not list ${result.digest} among the referrers of ${subjectDigest} (${result.via})`,
      { hint: 'another client may have rewritten the referrers tag at the same time; push again' },
    );
  }
}

async function addToTagIndex(
  client: DistributionClient,
  repository: string,
  tag: string,
  descriptor: Descriptor,
): Promise<void> {
  const index = (await readIndex(client, repository, tag)) ?? { schemaVersion: 2, mediaType: OCI.index, manifests: [] };
  const manifests = (index.manifests ?? []).filter((m) => m.digest !== descriptor.digest);
  manifests.push(descriptor);
  const bytes = new TextEncoder().encode(JSON.stringify({ ...index, manifests }));
  const put = await client.request('PUT', `/v2/${repository}/manifests/${tag}`, {
    scope: pushScope(repository),
    body: bytes,
    contentType: OCI.index,
  });
  await client.ensureOk(put, `PUT the referrers index ${tag}`);
  await put.body?.cancel();
}

interface Index {
  schemaVersion: number;
  mediaType?: string;
  manifests?: Descriptor[];
}

async function readIndex(client: DistributionClient, repository: string, tag: string): Promise<Index | undefined> {
  const response = await client.request('GET', `/v2/${repository}/manifests/${tag}`, {
    accept: OCI.index,
    scope: `repository:${repository}:pull`,
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  await client.ensureOk(response, `GET the referrers index ${tag}`);
  const index = (await response.json()) as Index;
  if (index.mediaType !== undefined && index.mediaType !== OCI.index) {
    throw new TslimError('REGISTRY_FAILED', `${repository}:${tag} is a ${index.mediaType}, not a referrers index`, {
      hint: "that tag is the referrers tag schema's; remove what else was pushed there",
    });
  }
  return index;
}
