import type { World } from '../world/world-types.js';

/** compose's CLI flags that point it at the world's registry mirror, CUDA apt stand-in and pip index. */
export function worldComposeFlags(world: World): string[] {
  return [
    '--registry-mirror',
    world.mirror,
    '--cuda-repo',
    world.apt.cudaRepo,
    '--pip-index-url',
    world.pypi.url,
    '--pip-trusted-host',
    world.pypi.trustedHost,
  ];
}
