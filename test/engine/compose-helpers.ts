import { silentLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { toInputs, type ComposeFlags } from '../../src/cli/compose-options.js';
import type { Profile } from '../../src/compose/profiles.js';
import { runCompose, type ComposeResult } from '../../src/compose/run.js';
import { connectEngine } from '../../src/docker/engine.js';
import { readWorld } from '../world/read-world.js';
import { tempDir } from '../support/temp-dir.js';

export const world = readWorld();
export const engine = connectEngine();
process.env.DOCKER_CONFIG = world.registry.dockerConfig;

/** Flags that point a compose at the world: registry mirror, stand-in CUDA repo, local pip index. */
export const worldFlags: ComposeFlags = {
  registryMirror: [world.mirror],
  cudaRepo: world.apt.cudaRepo,
  pipIndexUrl: world.pypi.url,
  pipTrustedHost: world.pypi.trustedHost,
};

export function uniqueTag(what: string): string {
  return `tslim-test/compose-${what}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export async function composeInWorld(
  flags: ComposeFlags,
  options: { dryRun?: boolean; skipPull?: boolean; profile?: Profile } = {},
): Promise<ComposeResult> {
  const workDir = await tempDir('compose');
  const runId = `test-compose-${Date.now().toString(36)}`;
  return runCompose(toInputs({ ...worldFlags, ...flags }, options.profile), {
    engine: () => Promise.resolve(engine),
    log: silentLogger,
    progress: silentProgress,
    signal: new AbortController().signal,
    runId,
    tslimVersion: '0.0.0-test',
    dryRun: options.dryRun === true,
    offline: false,
    skipPull: options.skipPull === true,
    workDir,
    output: undefined,
    templateDir: undefined,
  });
}

export async function removeImage(ref: string): Promise<void> {
  await engine
    .getImage(ref)
    .remove({ force: true })
    .catch(() => undefined);
}
