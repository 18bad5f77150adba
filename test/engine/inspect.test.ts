import { afterAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../src/docker/build.js';
import type { Logger } from '../../src/core/logger.js';
import { connectEngine } from '../../src/docker/engine.js';
import { inspectImage } from '../../src/inspect/inspect-image.js';
import { inspectImageRaw } from '../../src/docker/images.js';
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
    // tslim runs as root beside the engine here: it reads the layer store, no container
    expect(facts.sizeMethod).toBe('layers');
    const left = await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
    expect(left).toHaveLength(0);
  });

  it('reads the same facts through a container (du) as from the layer store', async () => {
    const runId = `inspect-du-${version}-${Date.now()}`;
    const [layers, du] = [
      await inspectImage(engine, release.full, { role: 'full' }),
      await inspectImage(engine, release.full, { role: 'full', sizeMethod: 'du', runId }),
    ];
    expect([layers.sizeMethod, du.sizeMethod]).toEqual(['layers', 'du']);
    expect({ ...du, sizeMethod: 'layers' }).toEqual(layers);
    // the scratch container used to read files is gone
    const left = await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
    expect(left).toHaveLength(0);
  });

  it('gives the same sizes and file counts from the layer store, with du and with the streamed archive', async () => {
    const [layers, du, stream] = [
      await inspectImage(engine, release.full, { role: 'full', sizeMethod: 'layers' }),
      await inspectImage(engine, release.full, { role: 'full', sizeMethod: 'du' }),
      await inspectImage(engine, release.full, { role: 'full', sizeMethod: 'stream' }),
    ];
    expect([layers.sizeMethod, du.sizeMethod, stream.sizeMethod]).toEqual(['layers', 'du', 'stream']);
    for (const kind of ['backends', 'repoagents', 'caches'] as const) {
      expect(du[kind]).toEqual(stream[kind]);
      expect(layers[kind]).toEqual(stream[kind]);
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
    const facts = await inspectImage(engine, image, { role: 'full', log, runId, sizeMethod: 'du' });
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
    const du = await inspectImage(engine, image, { role: 'full', log, sizeMethod: 'du' });
    const stream = await inspectImage(engine, image, { role: 'full', sizeMethod: 'stream' });
    const layers = await inspectImage(engine, image, { role: 'full', log });
    expect([du.sizeMethod, layers.sizeMethod]).toEqual(['du', 'layers']);
    expect(lines.join('\n')).toMatch(/^debug sizes of .*: du in a container/m);
    expect(lines.join('\n')).toMatch(/^debug files of .*: read from the engine's layer store/m);
    expect(du.backends).toEqual(stream.backends);
    expect(layers.backends).toEqual(stream.backends);
    const identity = release.payload.backends.identity ?? 0;
    expect(sizes(du.backends)).toMatchObject({
      identity: identity + 'libtriton_identity.so'.length, // + the symlink's target text; the hard link once
      repeat: 2 * (release.payload.backends.repeat ?? 0),
      'repeat-alias': 'repeat'.length,
    });
  });

  it('agrees with du and the stream where upper layers remove, replace and hide what lower ones had', async () => {
    const b = '/opt/tritonserver/backends';
    const image = await build(
      'whiteouts',
      [
        `rm -rf ${b}/dali`, // a whiteout of a directory
        `rm -f ${b}/onnxruntime/$(ls ${b}/onnxruntime | head -n 1)`, // of one file
        `rm -rf ${b}/fil && mkdir ${b}/fil && echo new > ${b}/fil/new.txt`, // an opaque directory
        `rm -rf ${b}/openvino && echo file > ${b}/openvino`, // a directory replaced by a file
        `rm -rf /opt/tritonserver/caches`,
        `sed -i --follow-symlinks 's/^PRETTY_NAME=.*/PRETTY_NAME="Layered OS"/' /etc/os-release`,
        // names and link targets over 100 bytes: the layer's tar keeps them in pax headers
        `mkdir -p ${b}/python/$(printf '%080d' 0)/$(printf '%080d' 1)`,
        `echo deep > ${b}/python/$(printf '%080d' 0)/$(printf '%080d' 1)/deep.txt`,
        `ln -s $(printf '%0150d' 2) ${b}/python/long-link`,
      ].join(' && '),
    );
    lines.length = 0;
    const layers = await inspectImage(engine, image, { role: 'full', log });
    const du = await inspectImage(engine, image, { role: 'full', sizeMethod: 'du' });
    const stream = await inspectImage(engine, image, { role: 'full', sizeMethod: 'stream' });
    expect([layers.sizeMethod, du.sizeMethod, stream.sizeMethod]).toEqual(['layers', 'du', 'stream']);
    for (const kind of ['backends', 'repoagents', 'caches'] as const) {
      expect(layers[kind]).toEqual(stream[kind]);
      expect(du[kind]).toEqual(stream[kind]);
    }
    const names = layers.backends.map((c) => c.name);
    expect(names).not.toContain('dali');
    expect(sizes(layers.backends)).toMatchObject({
      fil: 'new\n'.length,
      openvino: 'file\n'.length,
      python: (release.payload.backends.python ?? 0) + 'deep\n'.length + 150,
    });
    expect(layers.caches).toEqual([]);
    expect(layers.os?.prettyName).toBe('Layered OS');
    expect({ ...du, sizeMethod: 'layers' }).toEqual(layers);
  });

  it('reads upper layers that leave /opt/tritonserver alone from their files: a whiteout, an opaque /opt', async () => {
    // three layers, none holding /opt/tritonserver: their records are not read (-v says how many were)
    const edited = await build(
      'probe-os',
      `sed -i 's/^PRETTY_NAME=.*/PRETTY_NAME="Upper"/' /etc/os-release\nRUN sed -i 's/^PRETTY_NAME=.*/PRETTY_NAME="Lib"/' /usr/lib/os-release\nRUN rm /etc/os-release`,
    );
    lines.length = 0;
    const layers = await inspectImage(engine, edited, { role: 'full', log });
    expect(lines.join('\n')).toMatch(
      /^debug files of .*: read from the engine's layer store \(the records of 2 of 14 layers/m,
    );
    const du = await inspectImage(engine, edited, { role: 'full', sizeMethod: 'du' });
    expect(layers.os?.prettyName).toBe('Lib'); // /etc/os-release whited out: /usr/lib/os-release, from the top layer
    expect({ ...du, sizeMethod: 'layers' }).toEqual(layers);
    // `rm -rf /opt && mkdir` makes /opt opaque: what lower layers had under it is gone (the build's
    // next step, the test's LABEL, makes the WORKDIR /opt/tritonserver again, empty)
    const hidden = await build('probe-opaque', 'rm -rf /opt && mkdir -p /opt/nvidia');
    lines.length = 0;
    const opaque = await inspectImage(engine, hidden, { role: 'full', log });
    expect(lines.join('\n')).toMatch(/read from the engine's layer store \(the records of \d+ of \d+ layers/);
    expect(opaque.backends).toEqual([]);
    expect(opaque.caches).toEqual([]);
    expect({
      ...(await inspectImage(engine, hidden, { role: 'full', sizeMethod: 'du' })),
      sizeMethod: 'layers',
    }).toEqual(opaque);
  });

  it('hard links out of /opt/tritonserver: sized from the layer when it can, else through a container', async () => {
    const b = '/opt/tritonserver/backends/identity';
    // a layer's tar names files in path order: opt/… comes first and is the file, usr/bin/du the link
    const after = await build('link-after', `ln /usr/bin/du ${b}/du-link`);
    // home/… comes first: the component's entry is a link to a file the view does not keep
    const before = await build(
      'link-before',
      `mkdir -p /home/x && echo data > /home/x/f && ln /home/x/f ${b}/home-link`,
    );
    const [afterLayers, afterStream] = [
      await inspectImage(engine, after, { role: 'full' }),
      await inspectImage(engine, after, { role: 'full', sizeMethod: 'stream' }),
    ];
    expect(afterLayers.sizeMethod).toBe('layers');
    expect(afterLayers.backends).toEqual(afterStream.backends);
    expect(sizes(afterLayers.backends).identity).toBeGreaterThan(release.payload.backends.identity ?? 0);
    lines.length = 0;
    const auto = await inspectImage(engine, before, { role: 'full', log });
    const stream = await inspectImage(engine, before, { role: 'full', sizeMethod: 'stream' });
    expect(auto.sizeMethod).toBe('du');
    expect(lines.join('\n')).toMatch(/not from the layer store \(\/.*home-link is a hard link to a file outside/);
    expect(auto.backends).toEqual(stream.backends);
    expect(sizes(auto.backends).identity).toBe((release.payload.backends.identity ?? 0) + 'data\n'.length);
    await expect(inspectImage(engine, before, { role: 'full', sizeMethod: 'layers' })).rejects.toMatchObject({
      code: 'ENGINE',
      message: expect.stringMatching(/layer store: .*home-link is a hard link/) as unknown,
    });
  });

  it('stops reading the layer store when the run is aborted', async () => {
    const raw = await inspectImageRaw(engine, release.min);
    const controller = new AbortController();
    controller.abort();
    await expect(
      inspectImage(engine, release.min, { raw, sizeMethod: 'layers', signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('removes the running du container when the run is aborted', async () => {
    const abortId = `${runId}-abort`;
    const controller = new AbortController();
    const inspecting = inspectImage(engine, release.full, {
      role: 'full',
      runId: abortId,
      signal: controller.signal,
      sizeMethod: 'du',
    });
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
