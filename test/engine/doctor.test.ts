import { describe, expect, it } from 'vitest';
import { buildKitOffer } from '../../src/docker/builders.js';
import { resolveEndpoint } from '../../src/docker/endpoint.js';
import { connectEngine } from '../../src/docker/engine.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { TslimError } from '../../src/core/errors.js';
import { readWorld } from '../world/read-world.js';

/** `runDoctor` against the engine the world runs on, checked against the engine's own answers. */
const world = readWorld();
const engine = connectEngine();
const signal = new AbortController().signal;

describe('runDoctor (real engine)', () => {
  it('reports what /version, /info and /_ping say, and the world registry credentials by source', async () => {
    const report = await runDoctor({
      engine,
      endpoint: resolveEndpoint(),
      configDir: world.registry.dockerConfig,
      env: {},
      signal,
    });
    const version = await engine.version();
    expect(report.engine).toMatchObject({
      kind: 'docker',
      version: version.Version,
      apiVersion: version.ApiVersion,
      os: version.Os,
      arch: version.Arch,
    });
    expect(report.builders.buildkit).toEqual(await buildKitOffer(engine, signal));
    expect(report.gpu.runtimes).toContain('runc');
    expect(report.gpu.nvidiaRuntime).toBe(report.gpu.runtimes.includes('nvidia'));
    if (!report.gpu.nvidiaRuntime && report.gpu.cdi.dirs.length === 0) {
      expect(report.limits).toContainEqual(expect.stringMatching(/--gpus none/));
    }
    expect(report.credentials.sources).toContainEqual({ registry: world.registry.address, source: 'auths' });
    expect(JSON.stringify(report)).not.toContain(world.registry.users[0]?.password ?? '<none>');
  });

  it('ENGINE_UNREACHABLE (exit 3) when nothing listens', async () => {
    const dead = connectEngine({ host: 'unix:///tmp/tslim-doctor-no-such.sock' });
    const error = await runDoctor({
      engine: dead,
      endpoint: { host: 'unix:///tmp/tslim-doctor-no-such.sock', source: 'DOCKER_HOST' },
      configDir: world.registry.dockerConfig,
      env: {},
      signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TslimError);
    expect((error as TslimError).exitCode).toBe(3);
  });
});
