import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScratchContainer } from '../../src/docker/archive.js';
import { connectEngine, type Engine } from '../../src/docker/engine.js';
import { exportFilesystem } from '../../src/docker/export-import.js';
import { writeTrimmed } from '../../src/trim/write-trimmed.js';
import { hiddenDirectoryFixture, layeredFixture, loadLayeredImage } from '../support/layered-image.js';
import { removeByLabel, removeImageRefs } from '../support/tiny-image.js';

// The layer-preserving trim writer (write-trimmed.ts) on an image whose layers delete, replace and
// hide files (whiteouts, an opaque directory, a whiteout then a re-add, hard links, a pax long name),
// on Docker and, when its service runs (`bash scripts/podman.sh`), on Podman.
const PODMAN_SOCK = process.env.TSLIM_PODMAN_SOCK || '/run/tslim-podman/podman.sock';
const engines: [string, () => Engine][] = [['Docker', () => connectEngine()]];
if (existsSync(PODMAN_SOCK)) engines.push(['Podman', () => connectEngine({ host: `unix://${PODMAN_SOCK}` })]);

/** The fixture's own paths (the engine adds /etc/hosts, /dev, /proc, ... to every export). */
const OURS = /^\/(usr|opt|srv|var)(\/|$)|^\/etc\/conf$/;

/** Every path of the image's filesystem as its export has it: type, mode, owner, time, link, body hash. */
async function snapshot(engine: Engine, image: string, runId: string): Promise<Map<string, string>> {
  return withScratchContainer(engine, image, runId, async (container) => {
    const out = new Map<string, string>();
    const tar = extract();
    const stream = await exportFilesystem(container);
    stream.pipe(tar);
    for await (const entry of tar) {
      const h = entry.header;
      const hash = createHash('sha256');
      for await (const chunk of entry) hash.update(chunk as Buffer);
      const path = `/${h.name.replace(/^\.?\//, '').replace(/\/$/, '')}`;
      if (!OURS.test(path)) continue;
      const what = [h.type, h.mode?.toString(8), `${h.uid}:${h.gid}`, h.mtime?.getTime(), h.linkname ?? '', h.size];
      out.set(path, `${what.join(' ')} ${hash.digest('hex').slice(0, 16)}`);
    }
    return out;
  });
}

describe.each(engines)('trim, layer by layer, on %s', (_name, connect) => {
  const engine = connect();
  const runId = `trim-layers-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const fixture = layeredFixture(32 << 20);
  const remove = new Set(fixture.removable);
  const labels = { 'dev.tslim.trim': JSON.stringify({ from: 'test' }) };
  let work = '';
  let source: { id: string; diffIds: string[] };
  const made = new Set<string>();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tslim-trim-layers-'));
    source = await loadLayeredImage(engine, fixture.layers, work, runId);
  });

  afterAll(async () => {
    await removeImageRefs(engine, [...made]);
    await removeByLabel(engine, runId);
    await rm(work, { recursive: true, force: true });
  });

  async function write(options: { signal?: AbortSignal; onStep?: (t: string) => void; epoch?: string } = {}) {
    const written = await writeTrimmed(engine, source.id, remove, {
      labels: () => labels,
      signal: options.signal,
      sourceDateEpoch: options.epoch,
      ...(options.onStep ? { onStep: options.onStep } : {}),
    });
    made.add(written.id);
    return written;
  }

  const gone = (id: string): Promise<boolean> =>
    engine
      .getImage(id)
      .inspect()
      .then(() => false)
      .catch(() => true);

  it('keeps the digest of every layer that loses nothing and drops exactly the removed entries of the others', async () => {
    const w = await write();
    expect(w.layers.map((l) => l.from)).toEqual(source.diffIds);
    expect(w.layers.map((l) => l.droppedEntries)).toEqual([6, 0, 2, 0]);
    expect(w.layers[1]!.diffId).toBe(source.diffIds[1]);
    expect(w.layers[3]!.diffId).toBe(source.diffIds[3]);
    expect(w.layers[0]!.diffId).not.toBe(source.diffIds[0]);
    expect(w.layers[2]!.diffId).not.toBe(source.diffIds[2]);
    const [a, b] = await Promise.all([engine.getImage(source.id).inspect(), engine.getImage(w.id).inspect()]);
    expect(b.RootFS.Layers).toEqual(w.layers.map((l) => l.diffId));
    expect(b.Created).toBe(a.Created);
    for (const field of ['Env', 'Entrypoint', 'Cmd', 'WorkingDir', 'User'] as const)
      expect(b.Config[field], field).toEqual(a.Config[field]);
    expect(b.Config.Labels).toEqual({ ...a.Config.Labels, ...labels });
  });

  it('gives a filesystem equal to the untrimmed one minus what was removed, path by path', async () => {
    const w = await write();
    const [before, after] = await Promise.all([snapshot(engine, source.id, runId), snapshot(engine, w.id, runId)]);
    const expected = new Map([...before].filter(([path]) => !remove.has(path)));
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(expected));
    // the whiteouts and the opaque directory still hide what they hid; the re-added file is the new one
    for (const hidden of ['/var/old/f', '/opt/d/x']) expect(after.has(hidden), hidden).toBe(false);
    for (const kept of ['/var/old/g', '/opt/h3', '/opt/h4', '/usr/lib/libB.so', '/srv/data'])
      expect(after.has(kept), kept).toBe(true);
    expect(after.get('/usr/lib/libB.so')).toBe(before.get('/usr/lib/libB.so'));
    for (const path of remove) expect(before.has(path), path).toBe(true);
  });

  it('gives the same image id on every run, and takes SOURCE_DATE_EPOCH for created', async () => {
    const first = await write();
    await engine.getImage(first.id).remove({ force: true });
    const second = await write();
    expect(second).toMatchObject({ id: first.id, existed: false });
    expect(second.layers).toEqual(first.layers);
    expect(await write()).toMatchObject({ id: first.id, existed: true });
    const dated = await write({ epoch: '1700000000' });
    expect(dated.id).not.toBe(first.id);
    expect(dated.layers.map((l) => l.diffId)).toEqual(first.layers.map((l) => l.diffId));
    expect((await engine.getImage(dated.id).inspect()).Created).toBe('2023-11-14T22:13:20Z');
  });

  it('Ctrl-C during the load leaves no image and no temp files behind', async () => {
    const probe = await write();
    await engine.getImage(probe.id).remove({ force: true });
    const temps = async () => (await readdir(tmpdir())).filter((n) => /^tslim-trim-(?!layers)/.test(n));
    const tempsBefore = await temps();
    for (const delay of [0, 30]) {
      const controller = new AbortController();
      const onStep = (text: string): void => {
        if (text.startsWith('trim: loading')) setTimeout(() => controller.abort(), delay);
      };
      await expect(write({ signal: controller.signal, onStep })).rejects.toMatchObject({ code: 'ABORTED' });
      expect(await gone(probe.id), `delay ${delay}`).toBe(true);
    }
    expect((await temps()).filter((n) => !tempsBefore.includes(n))).toEqual([]);
  });

  it('refuses to remove a file that hides a lower layer directory (it would uncover it)', async () => {
    const hidden = await loadLayeredImage(engine, hiddenDirectoryFixture(), work, runId);
    await expect(writeTrimmed(engine, hidden.id, new Set(['/opt/x']), { labels: () => labels })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/would uncover the directory it hides in layer 1/),
    });
  });
});
