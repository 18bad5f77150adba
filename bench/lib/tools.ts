import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { World } from '../../test/world/world-types.js';
import { run, type Measured, type RunOptions } from './proc.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tslimBin = path.join(repoRoot, 'bin', 'tslim.js');

/** The built CLI (`npm run build` first), as a user runs it. */
export function tslim(args: string[], options: RunOptions = {}): Promise<Measured> {
  return run(process.execPath, [tslimBin, ...args], options);
}

export function docker(args: string[], options: RunOptions = {}): Promise<Measured> {
  return run('docker', args, options);
}

/** compose flags that point at the world's apt/pip/CUDA stand-ins (as test/engine/compose-helpers.ts). */
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

export async function removeImages(refs: string[]): Promise<void> {
  for (const ref of refs) await docker(['rmi', '-f', ref]).catch(() => undefined);
}
