import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type Measured, type RunOptions } from './proc.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tslimBin = path.join(repoRoot, 'bin', 'tslim.js');

/**
 * The built CLI (`npm run build` first), as a user runs it, without the facts cache (every figure
 * reads the images; a figure that measures the cache passes its own TSLIM_CACHE_DIR in `env`).
 */
/** The built CLI under this Node (or `node`, another Node binary). */
export function tslim(args: string[], options: RunOptions = {}, node = process.execPath): Promise<Measured> {
  return run(node, [tslimBin, ...args], {
    ...options,
    env: { TSLIM_NO_CACHE: '1', ...process.env, ...options.env },
  });
}

export function docker(args: string[], options: RunOptions = {}): Promise<Measured> {
  return run('docker', args, options);
}

/** compose flags that point at the world's apt/pip/CUDA stand-ins (shared with the tests). */
export { worldComposeFlags } from '../../test/support/world-flags.js';

/** The baseline: `du -sb` of `globs` in a network-less throwaway container of `image`. */
export function duInContainer(image: string, globs: string): Promise<Measured> {
  return docker(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c', `du -sb ${globs}`]);
}

export async function removeImages(refs: string[]): Promise<void> {
  for (const ref of refs) await docker(['rmi', '-f', ref]).catch(() => undefined);
}
