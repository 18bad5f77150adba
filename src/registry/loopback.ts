import type { ImageRef } from '../core/image-ref.js';

/** True for 127.0.0.0/8, ::1 and localhost: dockerd talks plain HTTP to those, so do we. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : (registry.split(':')[0] ?? '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Where the distribution API of a reference lives: Docker Hub's API host and library/ for single names. */
export function apiLocation(ref: ImageRef): { registry: string; repository: string } {
  if (ref.registry !== 'docker.io') return { registry: ref.registry, repository: ref.repository };
  return {
    registry: 'registry-1.docker.io',
    repository: ref.repository.includes('/') ? ref.repository : `library/${ref.repository}`,
  };
}
