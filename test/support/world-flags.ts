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

/**
 * `tslim compose` of the world's 24.09 images keeping the python backend, then verify (no GPU),
 * push to `target` and report, as one --json run in `workDir`: the whole pipeline a remote-engine
 * test sends through its transport.
 */
export function pipelineArgs(
  world: World,
  output: string,
  target: string,
  workDir: string,
  extra: string[] = [],
): string[] {
  return [
    'compose',
    '--version',
    '24.09',
    '--backend',
    'python',
    ...worldComposeFlags(world),
    '--output-name',
    output,
    ...extra,
    '--verify',
    '--gpus',
    'none',
    '--push',
    target,
    '--report',
    '--json',
    '--work-dir',
    workDir,
  ];
}

/**
 * compose's flags for the world's real Triton pair: its images as they are (no pull), a CPU build
 * (TRITON_SERVER_GPU_ENABLED=0, so compose.py's --enable-gpu=false recipe), no DCGM, and the real
 * pair's pip index (a real numpy).
 */
export function realComposeFlags(real: NonNullable<World['real']>): string[] {
  return [
    '--image',
    `full,${real.full}`,
    '--image',
    `min,${real.min}`,
    '--skip-pull',
    '--cpu-only',
    '--no-dcgm',
    '--pip-index-url',
    real.pypi.url,
    '--pip-trusted-host',
    real.pypi.trustedHost,
  ];
}
