import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { pack, type Header } from 'tar-stream';
import { RUN_LABEL } from '../../src/core/labels.js';
import type { Engine } from '../../src/docker/engine.js';
import { loadImage } from '../../src/docker/image-load.js';

export interface LayerItem {
  header: Partial<Header> & Pick<Header, 'name'>;
  body?: Buffer;
}

const T = new Date(1_600_000_000_000);
const dir = (name: string): LayerItem => ({ header: { name, type: 'directory', mode: 0o755, mtime: T } });
const file = (name: string, body: Buffer | string, mode = 0o644): LayerItem => ({
  header: { name, mode, mtime: T, uid: 0, gid: 0 },
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
});
const symlink = (name: string, linkname: string): LayerItem => ({
  header: { name, type: 'symlink', linkname, mtime: T },
});
const hardlink = (name: string, linkname: string): LayerItem => ({
  header: { name, type: 'link', linkname, mtime: T },
});
const whiteout = (name: string): LayerItem => file(name, '');

/**
 * Four layers that delete, replace and hide files the way image builds do (OCI layer rules):
 * whiteouts, an opaque directory, a file replaced in a later layer, a whiteout then a re-add,
 * hard links, symlinks and a long (pax) name. `removable` is what a trim of it may drop.
 */
export function layeredFixture(bigLayerBytes: number): { layers: LayerItem[][]; removable: string[] } {
  const long = `opt/${'deep/'.repeat(30)}libdeep.so`;
  const l1 = [
    dir('usr/'),
    dir('usr/lib/'),
    file('usr/lib/libA.so', randomBytes(3000)),
    symlink('usr/lib/libA.so.1', 'libA.so'),
    file('usr/lib/libB.so', 'libB, first version\n'),
    dir('usr/share/'),
    dir('usr/share/doc/'),
    file('usr/share/doc/readme', 'docs\n'),
    dir('opt/'),
    dir('opt/d/'),
    file('opt/d/x', 'hidden by a whiteout later\n'),
    file('opt/h1', randomBytes(1000)),
    hardlink('opt/h2', 'opt/h1'),
    file('opt/h3', 'kept with its link\n'),
    hardlink('opt/h4', 'opt/h3'),
    file(long, randomBytes(700)),
    dir('var/'),
    dir('var/old/'),
    file('var/old/f', 'hidden by an opaque directory later\n'),
    dir('etc/'),
    file('etc/conf', 'a=1\n'),
  ];
  const l2 = [dir('srv/'), file('srv/data', randomBytes(bigLayerBytes))];
  const l3 = [
    dir('usr/'),
    dir('usr/lib/'),
    file('usr/lib/libA.so', randomBytes(2000)),
    whiteout('usr/lib/.wh.libB.so'),
    file('usr/lib/libC.a', randomBytes(4000)),
    dir('var/old/'),
    whiteout('var/old/.wh..wh..opq'),
    file('var/old/g', 'new in the opaque directory\n'),
    dir('opt/d/'),
    whiteout('opt/d/.wh.x'),
  ];
  const l4 = [dir('usr/lib/'), file('usr/lib/libB.so', 'libB, second version\n')];
  return {
    layers: [l1, l2, l3, l4].map(withParents),
    removable: [
      '/usr/lib/libA.so',
      '/usr/lib/libA.so.1',
      '/opt/h1',
      '/opt/h2',
      '/usr/share/doc/readme',
      '/usr/lib/libC.a',
      `/${long}`,
    ],
  };
}

/**
 * Every parent directory an entry lacks, put before it: an engine makes a missing one with the time
 * of the load, which would make two loads of the same layers differ.
 */
function withParents(items: readonly LayerItem[]): LayerItem[] {
  const out: LayerItem[] = [];
  const dirs = new Set(items.filter((i) => i.header.type === 'directory').map((i) => i.header.name));
  for (const item of items) {
    const parts = item.header.name.replace(/\/$/, '').split('/').slice(0, -1);
    for (let n = 1; n <= parts.length; n++) {
      const name = `${parts.slice(0, n).join('/')}/`;
      if (!dirs.has(name)) {
        dirs.add(name);
        out.push(dir(name));
      }
    }
    out.push(item);
  }
  return out;
}

/** A directory in one layer that a file of the next layer replaces (and so hides, with its contents). */
export function hiddenDirectoryFixture(): LayerItem[][] {
  return [
    withParents([dir('opt/x/'), file('opt/x/child', 'under the directory\n')]),
    withParents([file('opt/x', 'a file where the directory was\n')]),
  ];
}

export async function tarOf(items: readonly LayerItem[]): Promise<Buffer> {
  const p = pack();
  for (const { header, body } of items) p.entry(header, body ?? '');
  p.finalize();
  return buffer(p);
}

/** Loads an image made of these layers (one empty-layer ENV line in its history too); returns its id. */
export async function loadLayeredImage(
  engine: Engine,
  layers: readonly LayerItem[][],
  workDir: string,
  runId: string,
): Promise<{ id: string; diffIds: string[] }> {
  const files = [];
  for (const [i, items] of layers.entries()) {
    const tar = await tarOf(items);
    const path = join(workDir, `fixture-${i}.tar`);
    await writeFile(path, tar);
    files.push({ file: path, bytes: tar.length, diffId: `sha256:${createHash('sha256').update(tar).digest('hex')}` });
  }
  const created = '2020-09-13T12:26:40.123456789Z';
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created,
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'FIXTURE=layered'],
        Entrypoint: ['/nonexistent'],
        WorkingDir: '/opt',
        Labels: { [RUN_LABEL]: runId, 'dev.tslim.test': 'layered' },
      },
      rootfs: { type: 'layers', diff_ids: files.map((f) => f.diffId) },
      history: [
        ...files.map((_, i) => ({ created, created_by: `layer ${i + 1}` })),
        { created, created_by: 'ENV FIXTURE=layered', empty_layer: true },
      ],
    }),
  );
  return { id: await loadImage(engine, config, files), diffIds: files.map((f) => f.diffId) };
}
