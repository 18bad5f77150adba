// The OCI 1.1 referrers API as Harbor (2.8 and later) serves it in front of distribution, which has
// none: a manifest PUT with a `subject` is recorded (Harbor keeps it in its database as an accessory)
// and answered with `OCI-Subject`; GET /v2/<name>/referrers/<digest> lists the recorded descriptors as
// an image index, filtered by ?artifactType= (distribution spec v1.1, "Listing Referrers").
import { request } from 'node:http';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const REFERRERS = /^\/v2\/(.+)\/referrers\/(sha256:[0-9a-f]{64})$/;
const MANIFEST_PUT = /^\/v2\/(.+)\/manifests\/([^/]+)$/;

export function isReferrersGet(req, url) {
  return req.method === 'GET' && REFERRERS.test(url.pathname);
}

export function isManifestPut(req, url) {
  return req.method === 'PUT' && MANIFEST_PUT.test(url.pathname);
}

/** Forwards a manifest PUT (body buffered: manifests are small), recording a subject on success. */
export async function putManifest(req, res, url, state) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const [, repository] = MANIFEST_PUT.exec(url.pathname);
  const [host, port] = state.registry.split(':');
  const sent = { ...req.headers, 'content-length': body.length };
  delete sent['transfer-encoding'];
  const answer = await new Promise((resolve, reject) => {
    const upstream = request({ host, port: Number(port), method: 'PUT', path: req.url, headers: sent }, resolve);
    upstream.on('error', reject);
    upstream.end(body);
  });
  const headers = { ...answer.headers };
  let manifest;
  try {
    manifest = JSON.parse(body.toString('utf8'));
  } catch {
    manifest = undefined;
  }
  if (answer.statusCode === 201 && manifest?.subject?.digest) {
    const digest = answer.headers['docker-content-digest'];
    const key = `${repository}@${manifest.subject.digest}`;
    const list = (state.referrers[key] ??= []).filter((d) => d.digest !== digest);
    list.push({
      mediaType: manifest.mediaType ?? req.headers['content-type'],
      digest,
      size: body.length,
      ...(manifest.artifactType || manifest.config?.mediaType
        ? { artifactType: manifest.artifactType ?? manifest.config.mediaType }
        : {}),
      ...(manifest.annotations ? { annotations: manifest.annotations } : {}),
    });
    state.referrers[key] = list;
    headers['oci-subject'] = manifest.subject.digest;
  }
  res.writeHead(answer.statusCode ?? 502, headers);
  answer.pipe(res);
}

/**
 * GET /v2/<name>/referrers/<digest>. Access is the registry's to decide: the subject's manifest is
 * asked for with the client's own Authorization, and a 401 (with its challenge) goes back as is.
 */
export async function referrers(req, res, url, state) {
  const [, repository, subject] = REFERRERS.exec(url.pathname);
  const check = await fetch(`http://${state.registry}/v2/${repository}/manifests/${subject}`, {
    method: 'HEAD',
    headers: {
      accept:
        'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, ' + INDEX,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    },
  });
  if (check.status === 401 || check.status === 403) {
    const challenge = check.headers.get('www-authenticate');
    res.writeHead(check.status, {
      'content-type': 'application/json',
      ...(challenge ? { 'www-authenticate': challenge } : {}),
    });
    return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
  }
  const wanted = url.searchParams.get('artifactType');
  const all = state.referrers[`${repository}@${subject}`] ?? [];
  const manifests = wanted ? all.filter((d) => d.artifactType === wanted) : all;
  const text = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests });
  res.writeHead(200, {
    'content-type': INDEX,
    'content-length': Buffer.byteLength(text),
    ...(wanted ? { 'oci-filters-applied': 'artifactType' } : {}),
  });
  res.end(text);
}
