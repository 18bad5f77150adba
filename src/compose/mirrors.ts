import { usageError } from '../core/errors.js';
import { checkSafe } from './validate.js';

export interface RegistryMirror {
  /** Registry host to replace, e.g. nvcr.io or docker.io. */
  from: string;
  /** Replacement host[/path prefix], e.g. harbor.example/proxy-nvcr. */
  to: string;
}

export function parseRegistryMirror(value: string): RegistryMirror {
  const eq = value.indexOf('=');
  if (eq <= 0)
    throw usageError(
      `--registry-mirror ${JSON.stringify(value)}: expected REGISTRY=MIRROR, e.g. nvcr.io=harbor.example/proxy-nvcr`,
    );
  const from = checkSafe('registry', '--registry-mirror registry', value.slice(0, eq));
  const to = checkSafe('registry', '--registry-mirror target', value.slice(eq + 1));
  return { from: from === 'index.docker.io' ? 'docker.io' : from, to };
}

/** Splits a reference into registry host and the rest, with Docker Hub's implicit defaults. */
export function splitReference(ref: string): { registry: string; path: string } {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { registry: first, path: ref.slice(slash + 1) };
  }
  return { registry: 'docker.io', path: slash < 0 ? `library/${ref}` : ref };
}

/** Rewrites a base image reference through the first mirror that matches its registry. */
export function applyMirrors(ref: string, mirrors: readonly RegistryMirror[]): string {
  const { registry, path } = splitReference(ref);
  const mirror = mirrors.find((m) => m.from === registry);
  return mirror ? `${mirror.to}/${path}` : ref;
}
