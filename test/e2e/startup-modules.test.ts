import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { readWorld } from '../world/read-world.js';

// Issue 13's start-up work, checked by what the built CLI loads (never by time): the offline paths
// load no engine client, and the engine path runs dockerode (bundled) without ssh2, gRPC or tar-fs
// (scripts/bundle-dockerode.mjs).
const BIN = fileURLToPath(new URL('../../bin/tslim.js', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../dist/bundle/main.cjs', import.meta.url));
const DEFERRED = ['ssh2', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'readable-stream', 'tar-fs'];
const PRELOAD = fileURLToPath(new URL('../support/loaded-modules.mjs', import.meta.url));
const world = readWorld();
const release = world.releases['24.09'];

async function loadedBy(args: string[]): Promise<{ code: number | null; stderr: string; packages: string[] }> {
  const out = join(await tempDir('loaded'), 'loaded.json');
  const run = spawnSync(process.execPath, ['--import', PRELOAD, BIN, ...args], {
    env: { ...process.env, TSLIM_LOADED_MODULES: out },
    encoding: 'utf8',
  });
  return { code: run.status, stderr: run.stderr, packages: JSON.parse(readFileSync(out, 'utf8')) as string[] };
}

describe('what the built CLI loads', () => {
  it('--help and an offline dry run load no engine client and no tar or protobuf code', async () => {
    for (const args of [
      ['--help'],
      ['compose', '--dry-run', '--offline', '--version', '24.09', '--backend', 'python'],
    ]) {
      const run = await loadedBy(args);
      expect(run.code, run.stderr).toBe(0);
      for (const heavy of ['dockerode', 'docker-modem', 'ssh2', '@grpc/grpc-js', 'protobufjs', 'tar-stream', 'ora'])
        expect(run.packages, args.join(' ')).not.toContain(heavy);
    }
  });

  it('a dry run against the engine loads dockerode but neither ssh2 nor its BuildKit session (gRPC)', async () => {
    const run = await loadedBy([
      'compose',
      '--dry-run',
      '--skip-pull',
      '--image',
      `full=${release?.full}`,
      '--image',
      `min=${release?.min}`,
      '--backend',
      'python',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('catalog'); // the facts came from the engine
    // dockerode and docker-modem are inside the bundle (so in its code cache); what they defer is not
    const bundle = readFileSync(BUNDLE, 'utf8');
    for (const inside of ['dockerode', 'docker-modem']) expect(bundle).toContain(`\n// node_modules/${inside}/`);
    for (const deferred of DEFERRED) {
      expect(run.packages).not.toContain(deferred);
      expect(bundle).not.toContain(`\n// node_modules/${deferred}/`);
    }
    expect(run.packages).toEqual([]);
  });
});
