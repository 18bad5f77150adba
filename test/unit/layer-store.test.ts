import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEntryHeader } from '../../src/docker/tar-header.js';
import { readLayerTarSplit, type LayerEntry } from '../../src/docker/layer-tar-split.js';
import { LayerTree } from '../../src/docker/layer-tree.js';
import { openLayerStore } from '../../src/docker/layer-store.js';
import { chainIds } from '../../src/docker/overlay-store.js';
import { probeLayer } from '../../src/docker/layer-probe.js';
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
  const raw = (name: string, upper: string, layers = 2): RawImage =>
    ({
      Id: `sha256:${'1'.repeat(64)}`,
      GraphDriver: { Name: name, Data: { UpperDir: upper } },
      RootFS: { Type: 'layers', Layers: ['a', 'b', 'c', 'd'].slice(0, layers).map((c) => `sha256:${c.repeat(64)}`) },
    }) as unknown as RawImage;
  const ALL = { paths: ['etc/os-release', 'usr/lib/os-release'], subtree: 'opt/tritonserver' };

  it('says why it cannot be used: another driver, or a store this host cannot read', async () => {
    expect(await openLayerStore(raw('vfs', '/x'), ALL)).toEqual({
      unusable: 'storage driver vfs, not overlay2',
    });
    const root = await mkdtemp(path.join(tmpdir(), 'tslim-store-'));
    try {
      const upper = `${root}/overlay2/abc/diff`;
      expect(await openLayerStore(raw('overlay2', upper), ALL)).toMatchObject({
        unusable: expect.stringMatching(/^cannot read the layer store at .* \(ENOENT\)$/) as unknown,
      });
      // a store whose top chain names another directory is not the engine's
      const [, top] = chainIds(raw('overlay2', upper).RootFS.Layers ?? []);
      const layerDir = `${root}/image/overlay2/layerdb/sha256/${(top ?? '').slice(7)}`;
      await mkdir(layerDir, { recursive: true });
      await writeFile(`${layerDir}/cache-id`, 'other');
      expect(await openLayerStore(raw('overlay2', upper), ALL)).toEqual({
        unusable: `${root} is not the engine's layer store`,
      });
      // a cache-id is a directory name in the store, never a path out of it
      await writeFile(`${layerDir}/cache-id`, '../../../etc');
      expect(await openLayerStore(raw('overlay2', upper), ALL)).toMatchObject({
        unusable: expect.stringMatching(
          /^cannot read the layer store at .* \(odd cache-id "\.\.\/\.\.\/\.\.\/etc"\)$/,
        ) as unknown,
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  /**
   * A store as Docker's overlay2 keeps it: per layer its tar-split record (entries, with their
   * bodies' text) and its unpacked files (`files`: text, or a symlink target after '->', or the
   * directory '/'); `record: false` writes a record that fails to parse, to show it is not read.
   */
  interface Layer {
    cacheId: string;
    entries: [Headers, string?][];
    files: Record<string, string>;
    record?: false;
  }
  async function store(root: string, image: RawImage, layers: Layer[]): Promise<void> {
    const chains = chainIds(image.RootFS.Layers ?? []);
    for (const [i, { cacheId, entries, files, record }] of layers.entries()) {
      const db = `${root}/image/overlay2/layerdb/sha256/${(chains[i] ?? '').slice(7)}`;
      await mkdir(db, { recursive: true });
      await writeFile(`${db}/cache-id`, cacheId);
      await writeFile(`${db}/tar-split.json.gz`, record === false ? gzipSync('{"type":7}\n') : await tarSplit(entries));
      const diff = `${root}/overlay2/${cacheId}/diff`;
      await mkdir(diff, { recursive: true });
      for (const [file, text] of Object.entries(files)) {
        await mkdir(path.dirname(`${diff}/${file}`), { recursive: true });
        if (text === '/') await mkdir(`${diff}/${file}`, { recursive: true });
        else if (text.startsWith('->')) await symlink(text.slice(2), `${diff}/${file}`);
        else await writeFile(`${diff}/${file}`, text);
      }
    }
  }

  /** A store of these layers (the top one's cache id: 'top') in a temp folder, for fn, removed after. */
  async function withStore(layers: Layer[], fn: (image: RawImage, root: string) => Promise<void>): Promise<void> {
    const root = await mkdtemp(path.join(tmpdir(), 'tslim-store-'));
    try {
      const image = raw('overlay2', `${root}/overlay2/top/diff`, layers.length);
      await store(root, image, layers);
      await fn(image, root);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }

  it('reads a store: layers stacked, a file read from the layer that holds it; over the size limit, refused', async () => {
    const layers: Layer[] = [
      {
        cacheId: 'bottom',
        entries: [
          [{ name: 'etc/', type: 'directory' }],
          [{ name: 'etc/os-release', size: 8 }, 'ID=old\n\n'],
          [{ name: 'opt/tritonserver/backends/a/x.so', size: 3 }, 'abc'],
        ],
        files: { 'etc/os-release': 'ID=old\n\n', 'opt/tritonserver/backends/a/x.so': 'abc' },
      },
      {
        // no /opt/tritonserver here: answered from its files, its record is not read
        cacheId: 'middle',
        entries: [],
        files: { 'etc/os-release': '->../usr/lib/os-release', 'usr/lib/os-release': 'ID=new\n' },
        record: false,
      },
      {
        cacheId: 'top',
        entries: [[{ name: 'opt/tritonserver/backends/.wh.a', size: 0 }]],
        files: { 'opt/tritonserver/backends': '/' },
      },
    ];
    await withStore(layers, async (image, root) => {
      const opened = await openLayerStore(image, ALL);
      if (!('store' in opened)) throw new Error(opened.unusable);
      expect(await opened.store.readText('/etc/os-release')).toBe('ID=new\n');
      expect(opened.store.tree.get('etc/os-release')).toEqual({
        type: 'symlink',
        size: 0,
        linkname: '../usr/lib/os-release',
        layer: 1,
      });
      expect(opened.store.tree.get('opt/tritonserver/backends/a/x.so')).toBeUndefined();
      expect(opened.store.tree.get('opt/tritonserver/backends')).toBeUndefined(); // the top record has no dir entry
      expect(await opened.store.readText('/etc/none')).toBeUndefined();
      // the limit counts the records that are read, but not the top's, which holds only /opt/tritonserver
      const [bottomChain] = chainIds(image.RootFS.Layers ?? []);
      const bottomRecord = `${root}/image/overlay2/layerdb/sha256/${(bottomChain ?? '').slice(7)}/tar-split.json.gz`;
      const bottomBytes = (await stat(bottomRecord)).size;
      expect(await openLayerStore(image, ALL, undefined, bottomBytes)).toHaveProperty('store');
      expect(await openLayerStore(image, ALL, undefined, bottomBytes - 1)).toHaveProperty('unusable');
      expect(await openLayerStore(image, ALL, undefined, 100)).toEqual({
        unusable: expect.stringMatching(
          /^its layers' records are 0\.0 MB gzipped, over 0\.0 MB: a container is faster$/,
        ) as unknown,
      });
    });
  });

  it.runIf(process.getuid?.() === 0)(
    "reads an upper layer's whiteouts and opaque directories from its files (root: mknod, trusted xattrs)",
    async () => {
      const layers: Layer[] = [
        {
          cacheId: 'bottom',
          entries: [
            [{ name: 'etc/os-release', size: 7 }, 'ID=old\n'],
            [{ name: 'usr/lib/os-release', size: 7 }, 'ID=lib\n'],
            [{ name: 'opt/tritonserver/backends/a/x.so', size: 3 }, 'abc'],
          ],
          files: {
            'etc/os-release': 'ID=old\n',
            'usr/lib/os-release': 'ID=lib\n',
            'opt/tritonserver/backends/a/x.so': 'abc',
          },
        },
        { cacheId: 'middle', entries: [], files: { usr: '/' }, record: false },
        { cacheId: 'top', entries: [], files: { opt: '/' }, record: false },
      ];
      await withStore(layers, async (image, root) => {
        // Docker unpacks `.wh.os-release` as a 0:0 character device, `usr/.wh..wh..opq` and
        // `opt/.wh..wh..opq` as the xattr trusted.overlay.opaque=y (set here through GNU tar)
        execFileSync('mknod', [`${root}/overlay2/middle/diff/usr/os-release-unused`, 'c', '0', '0']);
        await mkdir(`${root}/overlay2/middle/diff/etc`);
        execFileSync('mknod', [`${root}/overlay2/middle/diff/etc/os-release`, 'c', '0', '0']);
        await opaqueByTar(`${root}/overlay2/top/diff`, 'opt');
        const opened = await openLayerStore(image, ALL);
        if (!('store' in opened)) throw new Error(opened.unusable);
        expect(opened.store.tree.get('etc/os-release')).toBeUndefined(); // the whiteout
        expect(await opened.store.readText('/usr/lib/os-release')).toBe('ID=lib\n'); // usr not opaque
        expect(opened.store.tree.get('opt/tritonserver')).toBeUndefined(); // hidden by the opaque /opt
        expect(opened.store.tree.get('opt')).toMatchObject({ type: 'directory', layer: 2 });
        expect([...opened.store.tree.below('opt')]).toEqual([]);
        // without GNU tar the opacity is unknown: those layers' records are read (here, one that fails)
        const path = process.env.PATH;
        process.env.PATH = '/nonexistent';
        try {
          expect(await openLayerStore(image, { ...ALL })).toEqual({
            unusable: "cannot read a layer's tar-split record (unknown tar-split record type 7)",
          });
        } finally {
          process.env.PATH = path;
        }
      });
    },
  );

  it("probes a layer's files without following its symlinks out of it", async () => {
    const diff = await mkdtemp(path.join(tmpdir(), 'tslim-probe-'));
    try {
      await symlink('/usr', `${diff}/usr`); // the host's /usr/lib/os-release must not be seen
      await mkdir(`${diff}/etc`);
      await writeFile(`${diff}/etc/os-release`, 'ID=x\n');
      expect(await probeLayer(diff, ALL)).toEqual({
        subtree: false,
        entries: [
          { path: 'etc', type: 'directory', size: 0 },
          { path: 'usr', type: 'symlink', size: 0, linkname: '/usr' },
          { path: 'etc/os-release', type: 'file', size: 5 },
        ],
        dirs: ['etc'],
      });
      await mkdir(`${diff}/opt/tritonserver`, { recursive: true });
      // it holds more than /opt/tritonserver: its record counts towards auto's limit
      expect(await probeLayer(diff, ALL)).toEqual({ subtree: true, mixed: true });
      const pure = await mkdtemp(path.join(tmpdir(), 'tslim-probe-'));
      await mkdir(`${pure}/opt/tritonserver/backends`, { recursive: true });
      expect(await probeLayer(pure, ALL)).toEqual({ subtree: true, mixed: false });
      await mkdir(`${pure}/opt/nvidia`);
      expect(await probeLayer(pure, ALL)).toEqual({ subtree: true, mixed: true });
      await rm(pure, { recursive: true });
    } finally {
      await rm(diff, { recursive: true, force: true });
    }
  });

  it('computes OCI chain ids', () => {
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    // sha256("sha256:aaa… sha256:bbb…"), by `printf %s "$a $b" | sha256sum`
    expect(chainIds([a, b])).toEqual([a, 'sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c']);
  });
});

/** Sets trusted.overlay.opaque=y on dir/name the way a user can without setfattr: GNU tar extracts it. */
async function opaqueByTar(dir: string, name: string): Promise<void> {
  const p = pack();
  p.entry({ name: `${name}/`, type: 'directory', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } });
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  execFileSync('tar', ['--xattrs', '--xattrs-include=trusted.*', '-xf', '-', '-C', dir], {
    input: Buffer.concat(chunks),
  });
}
