import { describe, expect, it } from 'vitest';
import { DuFolder } from '../../src/inspect/du-sizes.js';
import { LogDemuxer } from '../../src/docker/containers.js';

const R = '/opt/tritonserver';
/** du --all --apparent-size --block-size=1 --null output: a directory after its contents. */
const du = (rows: [number, string][]): Buffer => Buffer.from(rows.map(([n, p]) => `${n}\t${p}\0`).join(''));

describe('DuFolder', () => {
  const out = du([
    [100, `${R}/backends/onnx/lib.so`],
    [7, `${R}/backends/onnx/link.so`], // a symlink: du prints its target's length
    [20, `${R}/backends/onnx/sub/a b\tc.py`],
    [4096, `${R}/backends/onnx/sub`],
    [4096 + 127 + 4096, `${R}/backends/onnx`],
    [5, `${R}/backends/x/y`],
    [4101, `${R}/backends/x`],
    [99, `${R}/lib/libtritonserver.so`],
    [4195, `${R}/lib`],
    [4096, `${R}/caches`], // empty kind directory: du cannot say it is one, so it is streamed
    [50, `${R}/repoagents/checksum/c.so`],
    [4146, `${R}/repoagents/checksum`],
    [8242, `${R}/repoagents`],
    [20000, R],
  ]);

  it('sums non-directory entries per component, whatever the chunking', () => {
    for (const cut of [1, 3, 17, out.length]) {
      const folder = new DuFolder();
      for (let i = 0; i < out.length; i += cut) folder.push(out.subarray(i, i + cut));
      expect(folder.finish()).toEqual({
        sizes: {
          backends: [
            { name: 'onnx', bytes: 127, files: 3 },
            { name: 'x', bytes: 5, files: 1 },
          ],
          repoagents: [{ name: 'checksum', bytes: 50, files: 1 }],
          caches: [],
        },
        streamKinds: ['caches'],
      });
    }
  });

  it('keeps a multi-byte name split across chunks', () => {
    const text = du([
      [3, `${R}/backends/ü/é.so`],
      [4099, `${R}/backends/ü`],
      [8195, `${R}/backends`],
    ]);
    const folder = new DuFolder();
    const at = text.indexOf(Buffer.from('é')) + 1; // inside the two bytes of é
    folder.push(text.subarray(0, at));
    folder.push(text.subarray(at));
    expect(folder.finish()).toMatchObject({ sizes: { backends: [{ name: 'ü', bytes: 3, files: 1 }] } });
  });

  it('refuses output it does not understand', () => {
    const cut = new DuFolder();
    cut.push(Buffer.from(`3\t${R}/backends/a/b\u00004\t${R}/back`));
    expect(cut.finish()).toMatchObject({ unusable: expect.stringMatching(/mid-record/) });
    const busybox = new DuFolder();
    busybox.push(Buffer.from(`3\t${R}/backends/a/b\n`)); // no --null: one long record, no terminator
    expect(busybox.finish()).toHaveProperty('unusable');
    const odd = new DuFolder();
    odd.push(Buffer.from(`3K\t${R}/backends/a/b\0`));
    expect(odd.finish()).toMatchObject({ unusable: expect.stringMatching(/3K/) });
  });
});

describe('LogDemuxer', () => {
  const frame = (stream: number, text: string): Buffer => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };
  it('splits stdout from stderr when frames straddle chunks', () => {
    const all = Buffer.concat([frame(1, 'hello '), frame(2, 'oops'), frame(1, 'world'), frame(1, '')]);
    for (const cut of [1, 5, 9, all.length]) {
      let out = '';
      let err = '';
      const demuxer = new LogDemuxer(
        (c) => (out += c.toString()),
        (c) => (err += c.toString()),
      );
      for (let i = 0; i < all.length; i += cut) demuxer.push(all.subarray(i, i + cut));
      expect([out, err]).toEqual(['hello world', 'oops']);
    }
  });
});
