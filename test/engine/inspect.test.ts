import { describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/docker/engine.js';
import { inspectImage } from '../../src/inspect/inspect-image.js';
import { RUN_LABEL } from '../../src/core/labels.js';
import type { Component } from '../../src/inspect/facts.js';
import { readWorld } from '../world/read-world.js';

const world = readWorld();
const engine = connectEngine();
const sizes = (list: Component[]): Record<string, number> => Object.fromEntries(list.map((c) => [c.name, c.bytes]));

describe.each([
  ['24.09', '2.50.0', '22.04', 'jammy', '3.2.6', /^12\./],
  ['25.09', '2.61.0', '24.04', 'noble', '4.4.0-1', /^13\./],
])('inspect of the %s fixture', (version, triton, osVersion, codename, dcgm, cuda) => {
  const release = world.releases[version];
  if (!release) throw new Error(`world has no ${version}`);

  it('reads versions, OS, CUDA, DCGM, build and layout of the full image', async () => {
    const runId = `inspect-${version}-${Date.now()}`;
    const facts = await inspectImage(engine, release.full, { role: 'full', runId });
    expect(facts.tritonVersion).toBe(triton);
    expect(facts.containerVersion).toBe(version);
    expect(facts.gpuEnabled).toBe(true);
    expect(facts.cudaVersion).toMatch(cuda);
    expect(facts.dcgmVersion).toBe(dcgm);
    expect(facts.os).toMatchObject({ id: 'ubuntu', versionId: osVersion, codename });
    expect(facts.buildId).toBeTruthy();
    expect(facts.buildRef).toBeTruthy();
    expect(facts.sagemakerServe).toBe(true);
    expect(facts.entrypoint).toEqual(['/opt/nvidia/nvidia_entrypoint.sh']);
    // sizes equal exactly what the world put there
    expect(facts.backends.map((b) => b.name)).toHaveLength(11);
    expect(sizes(facts.backends)).toEqual(release.payload.backends);
    expect(sizes(facts.repoagents)).toEqual(release.payload.repoagents);
    expect(sizes(facts.caches)).toEqual(release.payload.caches);
    // the scratch container used to read files is gone
    const left = await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
    expect(left).toHaveLength(0);
  });

  it('reads the min image: CUDA compat path, no /opt/tritonserver payload', async () => {
    const facts = await inspectImage(engine, release.min, { role: 'min' });
    expect(facts.cudaVersion).toMatch(cuda);
    expect(facts.cudaCompatPath).toBe('/usr/local/cuda/compat');
    expect(facts.backends).toEqual([]);
    expect(facts.os?.versionId).toBe(osVersion);
  });

  it('refuses the min image where a full one is required', async () => {
    await expect(inspectImage(engine, release.min, { role: 'full' })).rejects.toMatchObject({ code: 'NOT_TRITON' });
  });
});

describe('inspect failures', () => {
  it('says NOT_TRITON for an image that is not Triton', async () => {
    await expect(inspectImage(engine, world.base)).rejects.toMatchObject({ code: 'NOT_TRITON', exitCode: 5 });
  });
  it('says IMAGE_NOT_FOUND for a missing image without pulling', async () => {
    await expect(inspectImage(engine, 'tslim-fixture/does-not-exist:1')).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
    });
  });
  it('says ENGINE_UNREACHABLE when no engine answers', async () => {
    const dead = connectEngine({ host: 'unix:///tmp/tslim-no-such.sock' });
    await expect(inspectImage(dead, world.releases['24.09']?.full ?? '')).rejects.toMatchObject({
      code: 'ENGINE_UNREACHABLE',
      exitCode: 3,
    });
  });
  it('pulls a missing image through the world registry with config.json credentials', async () => {
    const ref = `${world.registry.address}/${world.registry.repository}:24.09-py3-min`;
    await engine
      .getImage(ref)
      .remove()
      .catch(() => undefined);
    const { resolveAuth } = await import('../../src/registry/credentials.js');
    const auth = await resolveAuth(world.registry.address, {
      env: { ...process.env, DOCKER_CONFIG: world.registry.dockerConfig },
    });
    expect(auth?.username).toBeTruthy();
    const facts = await inspectImage(engine, ref, { pull: 'missing', ...(auth ? { auth } : {}) });
    expect(facts.containerVersion).toBe('24.09');
  });
});
