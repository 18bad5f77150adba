import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pack, type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { octal } from '../../src/docker/tar-header.js';
import { LayerFilter, type LayerTarEntry } from '../../src/trim/layer-filter.js';
import { trimmedConfig, epochTime } from '../../src/trim/trimmed-config.js';

interface Item {
  header: Partial<Header> & Pick<Header, 'name'>;
  body?: Buffer;
}

const T = new Date(1_700_000_000_000);

/** A layer as Docker writes one: pax headers for long names, whiteouts, an opaque marker, a hard link. */
function layer(): Item[] {
  const long = `usr/lib/${'x'.repeat(120)}/libverylong.so`;
  return [
    { header: { name: 'usr/', type: 'directory', mode: 0o755, mtime: T } },
    { header: { name: 'usr/lib/', type: 'directory', mode: 0o755, mtime: T } },
    { header: { name: 'usr/lib/libkeep.so', mode: 0o644, mtime: T, uid: 1, gid: 2 }, body: Buffer.alloc(700, 1) },
    { header: { name: 'usr/lib/libgo.a', mode: 0o644, mtime: T }, body: Buffer.alloc(1500, 2) },
    { header: { name: 'usr/lib/libgo.so', type: 'symlink', linkname: 'libgo.a', mtime: T } },
    { header: { name: long, mode: 0o644, mtime: T }, body: Buffer.alloc(513, 3) },
    { header: { name: 'usr/lib/.wh.libold.so', mode: 0o644, mtime: T }, body: Buffer.alloc(0) },
    { header: { name: 'usr/share/doc/.wh..wh..opq', mode: 0o644, mtime: T }, body: Buffer.alloc(0) },
    { header: { name: 'usr/bin/a', mode: 0o755, mtime: T }, body: Buffer.from('#!/bin/sh\n') },
    { header: { name: 'usr/bin/b', type: 'link', linkname: 'usr/bin/a', mtime: T } },
  ];
}

function tarOf(items: readonly Item[]): Promise<Buffer> {
  const p = pack();
  for (const { header, body } of items) p.entry(header, body ?? '');
  p.finalize();
  return buffer(p);
}

/** Runs the filter over the tar fed in `chunk`-byte pieces (headers split across chunks too). */
async function filtered(tar: Buffer, drop: (e: LayerTarEntry) => boolean, chunk = 64 * 1024) {
  const filter = new LayerFilter(drop);
  const pieces: Buffer[] = [];
  for (let at = 0; at < tar.length; at += chunk) pieces.push(tar.subarray(at, at + chunk));
  const out = await buffer(Readable.from(pieces).pipe(filter));
  return { out, stats: filter.stats };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('LayerFilter', () => {
  it('passes a layer that loses nothing byte for byte (the same diff id)', async () => {
    const tar = await tarOf(layer());
    for (const chunk of [1, 7, 512, 1000, 1 << 20]) {
      const { out, stats } = await filtered(tar, () => false, chunk);
      expect(sha(out), `chunk ${chunk}`).toBe(sha(tar));
      expect(stats.droppedEntries).toBe(0);
    }
  });

  it('drops exactly the named entries, keeping every other header, whiteout and opaque marker as it was', async () => {
    const items = layer();
    const long = items[5]!.header.name;
    const gone = new Set(['/usr/lib/libgo.a', '/usr/lib/libgo.so', `/${long}`]);
    const seen: LayerTarEntry[] = [];
    const { out, stats } = await filtered(
      await tarOf(items),
      (e) => {
        seen.push(e);
        return gone.has(e.path);
      },
      333,
    );
    // the same tar as one packed without them: every kept entry's bytes are unchanged
    const expected = await tarOf(items.filter((i) => !gone.has(`/${i.header.name.replace(/\/$/, '')}`)));
    expect(sha(out)).toBe(sha(expected));
    expect(stats).toMatchObject({ droppedEntries: 3, keptEntries: 7 });
    expect(stats.droppedBytes).toBe((await tarOf(items)).length - expected.length);
    expect(seen.map((e) => e.path)).toContain(`/${long}`); // the pax path, not the truncated ustar name
    expect(seen.find((e) => e.path === '/usr/bin/b')).toMatchObject({ flag: '1', linkname: '/usr/bin/a' });
    expect(seen.find((e) => e.path === '/usr/lib/libgo.so')).toMatchObject({ flag: '2', linkname: 'libgo.a' });
    expect(seen.map((e) => e.path)).toEqual(
      expect.arrayContaining(['/usr/lib/.wh.libold.so', '/usr/share/doc/.wh..wh..opq']),
    );
  });

  it('reads GNU long names (type L) and keeps them with their entry', async () => {
    const name = `opt/${'n'.repeat(150)}.so`;
    const longName = gnuLongName(name);
    const body = Buffer.alloc(512, 9);
    const header = ustar('././@LongLink', '0', body.length);
    const tar = Buffer.concat([longName, header, body, Buffer.alloc(1024)]);
    const kept = await filtered(tar, () => false, 100);
    expect(kept.out.equals(tar)).toBe(true);
    const dropped = await filtered(tar, (e) => e.path === `/${name}`, 100);
    expect(dropped.out.equals(Buffer.alloc(1024))).toBe(true);
  });

  it('refuses to keep a hard link whose target it dropped', async () => {
    await expect(filtered(await tarOf(layer()), (e) => e.path === '/usr/bin/a')).rejects.toThrow(
      /keeps the hard link \/usr\/bin\/b to \/usr\/bin\/a/,
    );
  });

  it('fails on a tar cut inside an entry', async () => {
    const tar = await tarOf(layer());
    await expect(filtered(tar.subarray(0, 2000), () => false)).rejects.toThrow(/ends inside an entry/);
  });

  it('reads base-256 sizes (files of 8 GiB and more)', () => {
    const block = Buffer.alloc(512);
    block[124] = 0x80;
    block.writeUIntBE(9 * 2 ** 30, 124 + 12 - 6, 6);
    expect(octal(block.subarray(124, 136))).toBe(9 * 2 ** 30);
  });
});

describe('trimmedConfig', () => {
  const source = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      config: { Env: ['A=1'], Labels: { x: 'y' } },
      created: '2024-05-01T10:00:00.123456789Z',
      history: [{ created: '2024-05-01T10:00:00Z', created_by: 'COPY' }],
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: ['sha256:a', 'sha256:b'] },
    }),
  );
  const edit = { diffIds: ['sha256:a', 'sha256:c'], labels: { t: '{}' }, comment: 'removed 2 entries' };

  it('changes rootfs, the label and history only, and is the same bytes every time', () => {
    const a = trimmedConfig(source, edit);
    expect(a.equals(trimmedConfig(source, edit))).toBe(true);
    const c = JSON.parse(a.toString('utf8')) as Record<string, unknown>;
    expect(c).toMatchObject({
      architecture: 'amd64',
      created: '2024-05-01T10:00:00.123456789Z',
      config: { Env: ['A=1'], Labels: { x: 'y', t: '{}' } },
      rootfs: { type: 'layers', diff_ids: ['sha256:a', 'sha256:c'] },
    });
    expect(c.history).toEqual([
      { created: '2024-05-01T10:00:00Z', created_by: 'COPY' },
      {
        created: '2024-05-01T10:00:00.123456789Z',
        created_by: 'tslim compose --trim',
        comment: 'removed 2 entries',
        empty_layer: true,
      },
    ]);
  });

  it('takes SOURCE_DATE_EPOCH for created, and refuses one that is not a number', () => {
    const c = JSON.parse(trimmedConfig(source, { ...edit, sourceDateEpoch: '1700000000' }).toString()) as {
      created: string;
    };
    expect(c.created).toBe('2023-11-14T22:13:20Z');
    expect(() => epochTime('yesterday')).toThrow(/SOURCE_DATE_EPOCH=yesterday/);
  });

  it('refuses a layer count that is not the config one', () => {
    expect(() => trimmedConfig(source, { ...edit, diffIds: ['sha256:a'] })).toThrow(/1 layers, its config 2/);
  });
});

/** A ustar header block with a valid checksum. */
function ustar(name: string, flag: string, size: number): Buffer {
  const b = Buffer.alloc(512);
  b.write(name.slice(0, 100), 0, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  b.write('00000000000\0', 136);
  b.write(flag, 156);
  b.write('ustar  \0', 257);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}

function gnuLongName(name: string): Buffer {
  const data = Buffer.from(`${name}\0`, 'utf8');
  const padded = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(padded);
  return Buffer.concat([ustar('././@LongLink', 'L', data.length), padded]);
}
