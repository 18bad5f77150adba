import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencyClosure } from '../../src/trim/closure.js';
import { ElfCapture } from '../../src/trim/elf-capture.js';
import { prefixReader, readElf } from '../../src/trim/elf.js';
import { localTree } from '../../src/trim/local-tree.js';

// Real shared objects built with gcc: SONAMEs, DT_NEEDED chains, RUNPATH $ORIGIN, RPATH, a
// library reached only through ld.so.conf, and one of another machine class that ld.so must skip.
let root: string;

function cc(out: string, args: string[]): void {
  const src = `${out}.c`;
  writeFileSync(src, `int f_${out.replace(/\W/g, '_')}(void) { return 1; }\n`);
  execFileSync('gcc', ['-shared', '-fPIC', '-o', out, src, ...args]);
  rmSync(src);
}

function readelfNeeded(file: string): string[] {
  const text = execFileSync('readelf', ['-dW', file], { encoding: 'utf8' });
  return [...text.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tslim-elf-'));
  const cuda = join(root, 'usr/local/cuda-12.6/lib64');
  const sys = join(root, 'usr/lib/x86_64-linux-gnu');
  const be = join(root, 'opt/tritonserver/backends/onnxruntime');
  for (const d of [cuda, sys, be, join(root, 'etc/ld.so.conf.d'), join(root, 'opt/other')])
    mkdirSync(d, { recursive: true });
  symlinkSync('cuda-12.6', join(root, 'usr/local/cuda'));
  writeFileSync(join(root, 'etc/ld.so.conf'), 'include /etc/ld.so.conf.d/*.conf\n');
  writeFileSync(join(root, 'etc/ld.so.conf.d/988_cuda.conf'), '/usr/local/cuda/lib64\n');
  cc(join(cuda, 'libcudart.so.12.6.77'), ['-Wl,-soname,libcudart.so.12']);
  symlinkSync('libcudart.so.12.6.77', join(cuda, 'libcudart.so.12'));
  cc(join(cuda, 'libcublas.so.12.6.4.1'), [
    '-Wl,-soname,libcublas.so.12',
    '-Wl,--no-as-needed',
    `-L${cuda}`,
    '-l:libcudart.so.12',
  ]);
  symlinkSync('libcublas.so.12.6.4.1', join(cuda, 'libcublas.so.12'));
  cc(join(cuda, 'libcufft.so.11.2.0'), ['-Wl,-soname,libcufft.so.11']); // unused
  symlinkSync('libcufft.so.11.2.0', join(cuda, 'libcufft.so.11'));
  cc(join(sys, 'libcudnn.so.9.3.0'), ['-Wl,-soname,libcudnn.so.9']);
  symlinkSync('libcudnn.so.9.3.0', join(sys, 'libcudnn.so.9'));
  cc(join(be, 'libonnxruntime.so.1.19.2'), [
    '-Wl,-soname,libonnxruntime.so.1',
    '-Wl,--no-as-needed',
    `-L${cuda}`,
    '-l:libcublas.so.12',
    `-L${sys}`,
    '-l:libcudnn.so.9',
  ]);
  symlinkSync('libonnxruntime.so.1.19.2', join(be, 'libonnxruntime.so.1'));
  cc(join(be, 'libtriton_onnxruntime.so'), [
    '-Wl,--no-as-needed',
    `-L${be}`,
    '-l:libonnxruntime.so.1',
    '-Wl,-rpath,$ORIGIN',
    '-Wl,--enable-new-dtags',
  ]);
  // An old-style RPATH (no RUNPATH) that names a dir where a same-named decoy sits.
  cc(join(root, 'opt/other/libcudnn.so.9'), ['-Wl,-soname,libcudnn.so.9']);
  cc(join(root, 'opt/other/libuser.so'), [
    '-Wl,--no-as-needed',
    `-L${sys}`,
    '-l:libcudnn.so.9',
    '-Wl,-rpath,/opt/other',
    '-Wl,--disable-new-dtags',
  ]);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ELF reader (gcc-built objects)', () => {
  it('reads DT_NEEDED, SONAME and RUNPATH as readelf does', () => {
    const file = join(root, 'opt/tritonserver/backends/onnxruntime/libonnxruntime.so.1.19.2');
    const info = readElf(prefixReader(readFileSync(file)))!;
    expect(info.needed).toEqual(readelfNeeded(file));
    expect(info.needed).toEqual(expect.arrayContaining(['libcublas.so.12', 'libcudnn.so.9']));
    expect(info.soname).toBe('libonnxruntime.so.1');
    const backend = readElf(
      prefixReader(readFileSync(join(root, 'opt/tritonserver/backends/onnxruntime/libtriton_onnxruntime.so'))),
    )!;
    expect(backend.runpath).toEqual(['$ORIGIN']);
    expect(backend.rpath).toEqual([]);
  });

  it('matches readelf on the system libraries of this machine', () => {
    for (const lib of ['/usr/lib/x86_64-linux-gnu/libstdc++.so.6', '/usr/lib/x86_64-linux-gnu/libz.so.1']) {
      const info = readElf(prefixReader(readFileSync(lib)));
      expect(info?.needed, lib).toEqual(readelfNeeded(lib));
    }
  });

  it('is undefined for non-ELF bytes and asks for a range a streamed prefix lacks', () => {
    expect(readElf(prefixReader(Buffer.from('#!/bin/sh\necho hi\n')))).toBeUndefined();
    const file = readFileSync(join(root, 'usr/local/cuda/lib64/libcublas.so.12.6.4.1'));
    // A prefix that holds the program headers but not .dynstr: PT_DYNAMIC is captured as it
    // streams past, the string table is asked for afterwards.
    const headers = Number(file.readBigUInt64LE(32)) + file.readUInt16LE(54) * file.readUInt16LE(56);
    const capture = new ElfCapture(headers);
    for (let at = 0; at < file.length; at += 100) capture.push(file.subarray(at, at + 100));
    const first = capture.finish();
    expect(first).toMatchObject({ kind: 'need' });
    if (first.kind !== 'need') return;
    expect(first.offset).toBeGreaterThanOrEqual(headers);
    const second = capture.withRange(first.offset, file.subarray(first.offset, first.offset + first.length));
    expect(second).toEqual({ kind: 'elf', info: readElf(prefixReader(file)) });
  });
});

describe('dependency closure (ld.so order)', () => {
  it('keeps what the backend needs through RUNPATH, ld.so.conf and SONAME symlinks, and nothing else', () => {
    const tree = localTree(root);
    const closure = dependencyClosure(
      tree,
      [{ path: '/opt/tritonserver/backends/onnxruntime/libtriton_onnxruntime.so', why: 'backend onnxruntime' }],
      { ldLibraryPath: [], cacheDirs: ['/usr/local/cuda/lib64'] },
    );
    expect(closure.missing.filter((m) => !m.name.startsWith('libc.'))).toEqual([]);
    expect([...closure.keep]).toEqual(
      expect.arrayContaining([
        '/opt/tritonserver/backends/onnxruntime/libonnxruntime.so.1',
        '/opt/tritonserver/backends/onnxruntime/libonnxruntime.so.1.19.2',
        '/usr/local/cuda/lib64/libcublas.so.12',
        '/usr/local/cuda',
        '/usr/local/cuda-12.6/lib64/libcublas.so.12.6.4.1',
        '/usr/local/cuda-12.6/lib64/libcudart.so.12.6.77',
        '/usr/lib/x86_64-linux-gnu/libcudnn.so.9.3.0',
      ]),
    );
    expect([...closure.keep].some((p) => p.includes('libcufft'))).toBe(false);
    expect([...closure.keep].some((p) => p.startsWith('/opt/other'))).toBe(false);
  });

  it('searches DT_RPATH before the default dirs, so the decoy wins for the RPATH user', () => {
    const tree = localTree(root);
    const closure = dependencyClosure(tree, [{ path: '/opt/other/libuser.so', why: '--keep' }], {
      ldLibraryPath: [],
      cacheDirs: [],
    });
    expect(closure.keep.has('/opt/other/libcudnn.so.9')).toBe(true);
    expect(closure.keep.has('/usr/lib/x86_64-linux-gnu/libcudnn.so.9.3.0')).toBe(false);
  });

  it('reports a need nothing satisfies, naming who needs it', () => {
    const tree = localTree(root);
    const closure = dependencyClosure(
      tree,
      [{ path: '/opt/tritonserver/backends/onnxruntime/libonnxruntime.so.1', why: 'x' }],
      { ldLibraryPath: [], cacheDirs: [] }, // no ld.so.conf: libcublas is not found
    );
    expect(closure.missing).toEqual(
      expect.arrayContaining([
        { name: 'libcublas.so.12', by: '/opt/tritonserver/backends/onnxruntime/libonnxruntime.so.1' },
      ]),
    );
  });
});
