import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { countWasted, readLayer, type LayerEntry } from '../../bench/wasted-bytes.js';

const file = (p: string, size: number): LayerEntry => ({ path: p, size, kind: 'file' });
const dir = (p: string): LayerEntry => ({ path: p, kind: 'dir' });

describe('bench wasted bytes', () => {
  it('counts a file overwritten by a later layer once, with the lower size', () => {
    expect(countWasted([[dir('opt/'), file('opt/a', 100)], [file('opt/a', 7)]])).toEqual({
      layerBytes: 107,
      wastedBytes: 100,
      wastedFiles: 1,
    });
  });

  it('counts whiteouts of a file and of a directory, and an opaque directory', () => {
    const lower = [file('a/x', 10), file('a/sub/y', 20), file('b/z', 40), file('c/k', 80), file('keep', 1)];
    const upper: LayerEntry[] = [
      { path: 'a/.wh.x', kind: 'whiteout' },
      { path: 'a/.wh.sub', kind: 'whiteout' },
      { path: 'b/.wh..wh..opq', kind: 'opaque' },
      file('b/new', 5),
    ];
    expect(countWasted([lower, upper])).toEqual({ layerBytes: 156, wastedBytes: 70, wastedFiles: 3 });
  });

  it('a whiteout or opaque marker hides lower layers only, not files of its own layer', () => {
    expect(
      countWasted([[file('d/old', 3)], [file('d/new', 4), { path: 'd/.wh..wh..opq', kind: 'opaque' }]]).wastedBytes,
    ).toBe(3);
  });

  it('a symlink over a lower directory hides its files; a directory over a directory hides nothing', () => {
    expect(countWasted([[file('l/f', 9)], [dir('l')]]).wastedBytes).toBe(0);
    expect(countWasted([[file('l/f', 9)], [{ path: 'l', kind: 'other' }]]).wastedBytes).toBe(9);
  });

  it('reads a layer tar: entry kinds and the sha256 diff id of its bytes', async () => {
    const p = pack();
    p.entry({ name: 'opt/', type: 'directory' });
    p.entry({ name: 'opt/f', size: 3 }, 'abc');
    p.entry({ name: 'opt/.wh.g', size: 0 }, '');
    p.entry({ name: 'opt/l', type: 'symlink', linkname: 'f' });
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const c of p) chunks.push(Buffer.from(c as Uint8Array));
    const bytes = Buffer.concat(chunks);
    const layer = await readLayer(Readable.from([bytes]));
    expect(layer.diffId).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect(layer.entries.map((e) => e.kind)).toEqual(['dir', 'file', 'whiteout', 'other']);
  });
});
