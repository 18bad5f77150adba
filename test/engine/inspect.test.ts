import { afterAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../src/docker/build.js';
import type { Logger } from '../../src/core/logger.js';
import { connectEngine } from '../../src/docker/engine.js';
import { inspectImage } from '../../src/inspect/inspect-image.js';
import { RUN_LABEL } from '../../src/core/labels.js';
import type { Component } from '../../src/inspect/facts.js';
import { readWorld } from '../world/read-world.js';
import { removeByLabel } from '../support/tiny-image.js';

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
    expect(facts.sizeMethod).toBe('du');
    // the scratch container used to read files is gone
    const left = await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
    expect(left).toHaveLength(0);
  });

  it('gives the same sizes and file counts with du and with the streamed archive', async () => {
    const [du, stream] = [
      await inspectImage(engine, release.full, { role: 'full' }),
      await inspectImage(engine, release.full, { role: 'full', sizeMethod: 'stream' }),
    ];
    expect([du.sizeMethod, stream.sizeMethod]).toEqual(['du', 'stream']);
    for (const kind of ['backends', 'repoagents', 'caches'] as const) {
      expect(du[kind]).toEqual(stream[kind]);
      expect(du[kind].length).toBeGreaterThan(0);
    }
    expect(sizes(stream.backends)).toEqual(release.payload.backends);
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

describe('inspect sizes: du in a container, the stream as fallback', () => {
  const release = world.releases['24.09'];
  if (!release) throw new Error('world has no 24.09');
  const runId = `inspect-du-${Date.now()}`;
  const build = async (name: string, run: string): Promise<string> => {
    const tag = `tslim-test/inspect-${name}:${runId}`;
    await buildImage(engine, {
      context: { Dockerfile: `FROM ${release.full}\nRUN ${run}\n` },
      dockerfile: 'Dockerfile',
      tag,
      labels: { [RUN_LABEL]: runId },
      networkmode: 'none',
    });
    return tag;
  };
  const lines: string[] = [];
  const log: Logger = {
    level: 'verbose',
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
    raw: () => undefined,
  };
  afterAll(async () => {
    await removeByLabel(engine, runId);
  });

  it('falls back to the stream, with the same sizes, in an image without du', async () => {
    const image = await build('nodu', 'rm /usr/bin/du && ! command -v du');
    lines.length = 0;
    const facts = await inspectImage(engine, image, { role: 'full', log, runId });
    expect(facts.sizeMethod).toBe('stream');
    expect(sizes(facts.backends)).toEqual(release.payload.backends);
    expect(sizes(facts.caches)).toEqual(release.payload.caches);
    expect(lines.join('\n')).toMatch(/^info sizes of .*: no usable du in the image \(.*du.*\); streaming/m);
    const left = await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
    expect(left).toHaveLength(0);
  });

  it('agrees with the stream on symlinks, hard links, nested directories and a symlinked component', async () => {
    const b = '/opt/tritonserver/backends';
    const image = await build(
      'links',
      [
        `ln -s libtriton_identity.so ${b}/identity/libalias.so`,
        `ln ${b}/identity/libtriton_identity.so ${b}/identity/hard.so`,
        `mkdir -p ${b}/repeat/sub/deeper`,
        `cp ${b}/repeat/libtriton_repeat.so ${b}/repeat/sub/deeper/copy.so`,
        `ln -s repeat ${b}/repeat-alias`,
      ].join(' && '),
    );
    lines.length = 0;
    const du = await inspectImage(engine, image, { role: 'full', log });
    const stream = await inspectImage(engine, image, { role: 'full', sizeMethod: 'stream' });
    expect(du.sizeMethod).toBe('du');
    expect(lines.join('\n')).toMatch(/^debug sizes of .*: du in a container/m);
    expect(du.backends).toEqual(stream.backends);
    const identity = release.payload.backends.identity ?? 0;
    expect(sizes(du.backends)).toMatchObject({
      identity: identity + 'libtriton_identity.so'.length, // + the symlink's target text; the hard link once
      repeat: 2 * (release.payload.backends.repeat ?? 0),
      'repeat-alias': 'repeat'.length,
    });
  });

  it('removes the running du container when the run is aborted', async () => {
    const abortId = `${runId}-abort`;
    const controller = new AbortController();
    const inspecting = inspectImage(engine, release.full, { role: 'full', runId: abortId, signal: controller.signal });
    const outcome = inspecting.then(
      () => 'finished',
      (error: unknown) => error,
    );
    // abort as soon as the scratch container exists, which is before du has run and been read
    for (let i = 0; i < 2000; i += 1) {
      const made = await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${abortId}`] } });
      if (made.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    controller.abort();
    expect(await outcome).toMatchObject({ code: 'ABORTED' });
    const left = await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${abortId}`] } });
    expect(left).toHaveLength(0);
  });
});
