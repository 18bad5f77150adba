import { usageError } from './errors.js';

/** A parsed image reference: [registry/]repository[:tag][@digest]. */
export interface ImageRef {
  /** Registry host (with port), 'docker.io' when none is named. */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

// The distribution grammar, restricted to what an image reference may hold.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}';
const REF_RE = new RegExp(`^(?:(${HOST})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** Parses and validates an image reference; a clear usage error when it is not one. */
export function parseImageRef(text: string): ImageRef {
  const m = REF_RE.exec(text);
  if (!m || text.length > 255) {
    throw usageError(
      `'${printable(text)}' is not a valid image reference`,
      'expected [registry/]repository[:tag][@sha256:digest], e.g. nvcr.io/nvidia/tritonserver:24.09-py3',
    );
  }
  const [, first, rest, tag, digest] = m;
  // the first component is a registry only when it looks like a host (dot, colon, or localhost)
  const isHost = first !== undefined && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = isHost ? first : 'docker.io';
  const repository = isHost ? (rest ?? '') : [first, rest].filter(Boolean).join('/');
  if (!isHost && first !== undefined && first !== first.toLowerCase()) {
    throw usageError(`'${printable(text)}' is not a valid image reference: repository names are lower case`);
  }
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function formatImageRef(ref: ImageRef): string {
  const host = ref.registry === 'docker.io' ? '' : `${ref.registry}/`;
  return `${host}${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

export function registryHostOf(text: string): string {
  return parseImageRef(text).registry;
}

/** Shows control characters visibly so an error message cannot be forged by the input. */
export function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** Accepts an image reference or an image id (sha256:… or a 12+ hex prefix); returns it unchanged. */
export function checkImageArg(text: string): string {
  if (/^(sha256:)?[a-f0-9]{12,64}$/.test(text)) return text;
  parseImageRef(text);
  return text;
}
