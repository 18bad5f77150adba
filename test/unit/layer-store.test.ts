import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEntryHeader } from '../../src/docker/tar-header.js';
import { readLayerTarSplit, type LayerEntry } from '../../src/docker/layer-tar-split.js';
import { LayerTree } from '../../src/docker/layer-tree.js';
import { chainIds, openLayerStore } from '../../src/docker/layer-store.js';
import type { RawImage } from '../../src/docker/images.js';
import { componentSizes } from '../../src/inspect/layer-facts.js';

type Headers = Partial<Header> & { name: string };

/** A one-entry tar from tar-stream, without its end-of-archive blocks: header blocks (and body). */
async function tarOf(header: Headers, body = ''): Promise<Buffer> {
  const p = pack();
  p.entry(header, body);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  const tar = Buffer.concat(chunks);
  return tar.subarray(0, tar.length - 1024);
}

const LONG = `${'deep/'.repeat(30)}target.so`; // 159 bytes: tar-stream writes a pax linkpath for it

describe('tar entry headers as a tar-split record keeps them', () => {
  it('reads type and link target of ustar headers, after the previous body padding', async () => {
    const link = await tarOf({ name: 'lib/alias.so', type: 'symlink', linkname: 'libreal.so' });
    expect(decodeEntryHeader(link, 0)).toEqual({ type: 'symlink', linkname: 'libreal.so' });
    const padded = Buffer.concat([Buffer.alloc(300), await tarOf({ name: 'd', type: 'directory' })]);
    expect(decodeEntryHeader(padded, 300)).toEqual({ type: 'directory', linkname: '' });
    const hard = await tarOf({ name: 'b', type: 'link', linkname: 'opt/a' });
    expect(decodeEntryHeader(hard, 0)).toEqual({ type: 'link', linkname: 'opt/a' });
  });

  it('reads a long link target from the pax header before it', async () => {
    const raw = await tarOf({ name: 'x/long.so', type: 'symlink', linkname: LONG });
    expect(raw.length).toBeGreaterThan(512); // the pax blocks are there
    expect(decodeEntryHeader(raw, 0)).toEqual({ type: 'symlink', linkname: LONG });
  });

  it('refuses a record that was cut elsewhere than after a header', async () => {
    const file = await tarOf({ name: 'f', size: 3 }, 'abc'); // header + body block
    expect(() => decodeEntryHeader(file, 0)).toThrow(/tar header ends at 512/);
  });
});

/** The gzipped records Docker's tar-split writes for these (header, body) entries of a layer. */
async function tarSplit(entries: [Headers, string?][]): Promise<Buffer> {
  const lines: string[] = [];
  let padding = 0;
  for (const [header, body = ''] of entries) {
    const packed = await tarOf(header, body);
    const headerBytes = packed.subarray(0, packed.length - Math.ceil(body.length / 512) * 512);
    const raw = Buffer.concat([Buffer.alloc(padding), headerBytes]);
    lines.push(JSON.stringify({ type: 2, payload: raw.toString('base64'), position: lines.length }));
    const size = body.length > 0 ? { size: body.length } : {};
    lines.push(JSON.stringify({ type: 1, name: header.name, ...size, payload: null, position: lines.length }));
    padding = (512 - (body.length % 512)) % 512;
  }
  return gzipSync(`${lines.join('\n')}\n`);
}

describe("a layer's tar-split record", () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function recordFile(entries: [Headers, string?][]): Promise<string> {
    dir ??= await mkdtemp(path.join(tmpdir(), 'tslim-tarsplit-'));
    const file = path.join(dir, `layer-${entries.length}.json.gz`);
    await writeFile(file, await tarSplit(entries));
    return file;
  }

  it('gives wanted entries with types, sizes, link targets and whiteouts; skips the rest', async () => {
    const file = await recordFile([
      [{ name: './opt/', type: 'directory' }],
      [{ name: './opt/t/', type: 'directory' }],
      [{ name: './opt/t/a.so', size: 5 }, 'hello'],
      [{ name: './usr/lib/big.so', size: 700 }, 'x'.repeat(700)],
      [{ name: './opt/t/hard.so', type: 'link', linkname: 'usr/lib/big.so' }],
      [{ name: './opt/t/long.so', type: 'symlink', linkname: LONG }],
      [{ name: './opt/t/.wh.gone', size: 0 }],
      [{ name: './opt/t/sub/.wh..wh..opq', size: 0 }],
      [{ name: './etc/hostname', size: 2 }, 'h\n'],
    ]);
    const entries = await readLayerTarSplit(file, (p) => p === 'opt' || p.startsWith('opt/'));
    expect(entries).toEqual<LayerEntry[]>([
      { path: 'opt', type: 'directory', size: 0 },
      { path: 'opt/t', type: 'directory', size: 0 },
      { path: 'opt/t/a.so', type: 'file', size: 5 },
      // its target is not kept: size unknown (inspect then measures through a container)
      { path: 'opt/t/hard.so', type: 'link', size: -1, linkname: 'usr/lib/big.so' },
      { path: 'opt/t/long.so', type: 'symlink', size: 0, linkname: LONG },
      { path: 'opt/t/gone', type: 'whiteout', size: 0 },
      { path: 'opt/t/sub', type: 'opaque', size: 0 },
    ]);
  });

  it('fails on a record it does not know, and on a missing file', async () => {
    dir ??= await mkdtemp(path.join(tmpdir(), 'tslim-tarsplit-'));
    const bad = path.join(dir, 'bad.json.gz');
    await writeFile(bad, gzipSync('{"type":7}\n'));
    await expect(readLayerTarSplit(bad, () => true)).rejects.toThrow(/unknown tar-split record type 7/);
    await expect(readLayerTarSplit(path.join(dir, 'none.gz'), () => true)).rejects.toThrow(/ENOENT/);
  });
});

describe('layers stacked into a tree', () => {
  const file = (p: string, size: number): LayerEntry => ({ path: p, type: 'file', size });
  const dirEntry = (p: string): LayerEntry => ({ path: p, type: 'directory', size: 0 });
  const R = 'opt/tritonserver/backends';

  it('applies whiteouts, opaque directories and replacements to the layers below only', () => {
    const tree = new LayerTree();
    tree.add(0, [
      dirEntry(R),
      dirEntry(`${R}/a`),
      file(`${R}/a/x.so`, 10),
      dirEntry(`${R}/b`),
      file(`${R}/b/y.so`, 20),
    ]);
    tree.add(0 + 1, [
      { path: `${R}/a`, type: 'whiteout', size: 0 },
      { path: `${R}/b`, type: 'opaque', size: 0 },
      dirEntry(`${R}/b`),
      file(`${R}/b/z.so`, 3),
      dirEntry(`${R}/c`),
      file(`${R}/c/k.so`, 4),
    ]);
    tree.add(2, [file(`${R}/c`, 1)]); // a file where a directory was: what lay under it is gone
    expect(tree.get(`${R}/a/x.so`)).toBeUndefined();
    expect(tree.get(`${R}/b/y.so`)).toBeUndefined();
    expect(tree.get(`${R}/b/z.so`)).toMatchObject({ size: 3, layer: 1 });
    expect(tree.get(`${R}/c/k.so`)).toBeUndefined();
    expect(componentSizes(tree).backends).toEqual([
      { name: 'b', bytes: 3, files: 1 },
      { name: 'c', bytes: 1, files: 1 },
    ]);
  });

  it('counts a symlink by its target text and a hard link once, as du and the stream do', () => {
    const tree = new LayerTree();
    tree.add(0, [
      dirEntry(`${R}/a`),
      file(`${R}/a/x.so`, 10),
      { path: `${R}/a/alias.so`, type: 'symlink', size: 0, linkname: 'x.so' },
      { path: `${R}/a/hard.so`, type: 'link', size: 10, linkname: `${R}/a/x.so` },
      { path: `${R}/a/outside.so`, type: 'link', size: 7, linkname: 'usr/lib/o.so' },
    ]);
    expect(componentSizes(tree).backends).toEqual([{ name: 'a', bytes: 10 + 4 + 7, files: 3 }]);
  });
});

describe('opening the layer store', () => {
  const raw = (name: string, upper: string): RawImage =>
    ({
      Id: `sha256:${'1'.repeat(64)}`,
      GraphDriver: { Name: name, Data: { UpperDir: upper } },
      RootFS: { Type: 'layers', Layers: [`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`] },
    }) as unknown as RawImage;

  it('says why it cannot be used: another driver, or a store this host cannot read', async () => {
    expect(await openLayerStore(raw('vfs', '/x'), () => true)).toEqual({
      unusable: 'storage driver vfs, not overlay2',
    });
    const root = await mkdtemp(path.join(tmpdir(), 'tslim-store-'));
    try {
      const upper = `${root}/overlay2/abc/diff`;
      expect(await openLayerStore(raw('overlay2', upper), () => true)).toMatchObject({
        unusable: expect.stringMatching(/^cannot read the layer store at .* \(ENOENT\)$/) as unknown,
      });
      // a store whose top chain names another directory is not the engine's
      const [, top] = chainIds(raw('overlay2', upper).RootFS.Layers ?? []);
      const layerDir = `${root}/image/overlay2/layerdb/sha256/${(top ?? '').slice(7)}`;
      await mkdir(layerDir, { recursive: true });
      await writeFile(`${layerDir}/cache-id`, 'other');
      expect(await openLayerStore(raw('overlay2', upper), () => true)).toEqual({
        unusable: `${root} is not the engine's layer store`,
      });
      // a cache-id is a directory name in the store, never a path out of it
      await writeFile(`${layerDir}/cache-id`, '../../../etc');
      expect(await openLayerStore(raw('overlay2', upper), () => true)).toMatchObject({
        unusable: expect.stringMatching(
          /^cannot read the layer store at .* \(odd cache-id "\.\.\/\.\.\/\.\.\/etc"\)$/,
        ) as unknown,
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('reads a store: layers stacked, a file read from the layer that holds it; over the size limit, refused', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'tslim-store-'));
    try {
      const image = raw('overlay2', `${root}/overlay2/top/diff`);
      const layers: [string, [Headers, string?][], Record<string, string>][] = [
        [
          'bottom',
          [
            [{ name: 'etc/', type: 'directory' }],
            [{ name: 'etc/os-release', size: 8 }, 'ID=old\n\n'],
            [{ name: 'opt/tritonserver/backends/a/x.so', size: 3 }, 'abc'],
          ],
          { 'etc/os-release': 'ID=old\n\n' },
        ],
        [
          'top',
          [
            [{ name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' }],
            [{ name: 'usr/lib/os-release', size: 7 }, 'ID=new\n'],
            [{ name: 'opt/tritonserver/backends/.wh.a', size: 0 }],
          ],
          { 'usr/lib/os-release': 'ID=new\n' },
        ],
      ];
      const chains = chainIds(image.RootFS.Layers ?? []);
      for (const [i, [cacheId, entries, files]] of layers.entries()) {
        const db = `${root}/image/overlay2/layerdb/sha256/${(chains[i] ?? '').slice(7)}`;
        await mkdir(db, { recursive: true });
        await writeFile(`${db}/cache-id`, cacheId);
        await writeFile(`${db}/tar-split.json.gz`, await tarSplit(entries));
        for (const [file, text] of Object.entries(files)) {
          await mkdir(path.dirname(`${root}/overlay2/${cacheId}/diff/${file}`), { recursive: true });
          await writeFile(`${root}/overlay2/${cacheId}/diff/${file}`, text);
        }
      }
      const opened = await openLayerStore(image, () => true);
      if (!('store' in opened)) throw new Error(opened.unusable);
      expect(await opened.store.readText('/etc/os-release')).toBe('ID=new\n');
      expect(opened.store.tree.get('opt/tritonserver/backends/a/x.so')).toBeUndefined();
      expect(await opened.store.readText('/etc/none')).toBeUndefined();
      expect(await openLayerStore(image, () => true, undefined, 100)).toEqual({
        unusable: expect.stringMatching(
          /^its layers' records are 0\.0 MB gzipped, over 0\.0 MB: a container is faster$/,
        ) as unknown,
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('computes OCI chain ids', () => {
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    // sha256("sha256:aaa… sha256:bbb…"), by `printf %s "$a $b" | sha256sum`
    expect(chainIds([a, b])).toEqual([a, 'sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c']);
  });
});
