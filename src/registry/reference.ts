import { usageError } from '../core/errors.js';

/** An image reference split as docker splits it: registry host, repository path, tag or digest. */
export interface ImageReference {
  /** host[:port]; docker.io for Docker Hub. */
  registry: string;
  /** Path inside the registry, e.g. nvidia/tritonserver (library/ added for Hub single names). */
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;

/** Parses `[host[:port]/]path[:tag][@digest]`; the first part is a host when it has '.' or ':' or is localhost. */
export function parseReference(text: string): ImageReference {
  const bad = (why: string): never => {
    throw usageError(`invalid image reference '${text}': ${why}`, 'write it as host[:port]/path/name:tag, e.g. 127.0.0.1:5055/nvidia/tritonserver:24.09-slim');
  };
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) bad(`bad digest '${digest}'`);
  }
  const slash = rest.indexOf('/');
  let registry = 'docker.io';
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    rest = rest.slice(slash + 1);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) bad(`bad tag '${tag}'`);
  }
  if (rest === '') bad('no repository name');
  for (const part of rest.split('/')) if (!COMPONENT.test(part)) bad(`bad path component '${part}'`);
  const repository = registry === 'docker.io' && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry, repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** host/repository:tag, or @digest, or :latest when neither is given. */
export function formatReference(ref: ImageReference): string {
  const base = `${ref.registry}/${ref.repository}`;
  if (ref.digest) return `${base}${ref.tag ? `:${ref.tag}` : ''}@${ref.digest}`;
  return `${base}:${ref.tag ?? 'latest'}`;
}

/** True for 127.0.0.0/8, ::1 and localhost: plain HTTP there, as dockerd does. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : (registry.split(':')[0] ?? '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
