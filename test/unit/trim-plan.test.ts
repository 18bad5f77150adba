import { describe, expect, it } from 'vitest';
import { DLOPEN_TABLE } from '../../src/catalog/dlopen.js';
import { categorize } from '../../src/trim/categories.js';
import { configChanges } from '../../bench/lib/flat-import.js';
import { configDifferences } from '../../src/trim/config-changes.js';
import type { ElfInfo } from '../../src/trim/elf.js';
import { FsTree } from '../../src/trim/fs-tree.js';
import { keepMatcher } from '../../src/trim/glob.js';
import { planTrim } from '../../src/trim/trim-plan.js';

const elf = (needed: string[], soname?: string): ElfInfo => ({
  bits: 64,
  machine: 62,
  type: 'dyn',
  needed,
  rpath: [],
  runpath: ['$ORIGIN'],
  noDefaultLib: false,
  ...(soname ? { soname } : {}),
});

/** A small image: one backend needing cuDNN (whose sub-libraries only dlopen reaches), unused cuFFT. */
function tree(): FsTree {
  const t = new FsTree();
  const file = (path: string, size: number, e?: ElfInfo): void =>
    t.add({ path, kind: 'file', size, ...(e ? { elf: e } : {}) });
  const link = (path: string, target: string): void => t.add({ path, kind: 'symlink', size: 0, target });
  const sys = '/usr/lib/x86_64-linux-gnu';
  file('/opt/tritonserver/backends/onnxruntime/libtriton_onnxruntime.so', 10, elf(['libcudnn.so.9']));
  file(`${sys}/libcudnn.so.9.3.0`, 100, elf([], 'libcudnn.so.9'));
  link(`${sys}/libcudnn.so.9`, 'libcudnn.so.9.3.0');
  file(`${sys}/libcudnn_cnn.so.9.3.0`, 1000, elf([], 'libcudnn_cnn.so.9'));
  link(`${sys}/libcudnn_cnn.so.9`, 'libcudnn_cnn.so.9.3.0');
  file(`${sys}/libcufft.so.11.3.0`, 5000, elf([], 'libcufft.so.11'));
  link(`${sys}/libcufft.so.11`, 'libcufft.so.11.3.0');
  file(`${sys}/libselinux.so.1`, 50, elf([], 'libselinux.so.1'));
  file('/usr/local/cuda-12.6/targets/x86_64-linux/lib/libcublas_static.a', 7000);
  file('/usr/local/cuda-12.6/bin/nvcc', 300, { ...elf([]), type: 'exec' });
  file('/usr/include/cudnn.h', 20);
  file('/usr/share/doc/libcudnn9/copyright', 3);
  file('/usr/share/doc/libcudnn9/changelog.gz', 4);
  file('/etc/ld.so.conf.d/cuda.conf', 1);
  return t;
}

const inputs = (over: Partial<Parameters<typeof planTrim>[1]> = {}): Parameters<typeof planTrim>[1] => ({
  backends: ['onnxruntime'],
  triton: '2.50.0',
  ignore: [],
  python: false,
  keep: keepMatcher([]),
  env: { ldLibraryPath: [], cacheDirs: [] },
  table: DLOPEN_TABLE,
  ...over,
});

describe('trim plan', () => {
  it('drops unused NVIDIA libraries with their links, archives, tools, headers and docs; keeps the closure, dlopen set, OS and licenses', () => {
    const plan = planTrim(tree(), inputs());
    const removed = [...plan.remove.keys()].sort();
    expect(removed).toEqual([
      '/usr/include/cudnn.h',
      '/usr/lib/x86_64-linux-gnu/libcufft.so.11',
      '/usr/lib/x86_64-linux-gnu/libcufft.so.11.3.0',
      '/usr/local/cuda-12.6/bin/nvcc',
      '/usr/local/cuda-12.6/targets/x86_64-linux/lib/libcublas_static.a',
      '/usr/share/doc/libcudnn9/changelog.gz',
    ]);
    expect(plan.removedBytes).toBe(5000 + 7000 + 300 + 20 + 4);
    expect(plan.byPackage).toEqual({ cufft: { files: 2, bytes: 5000 } });
    expect(plan.byCategory['static-archive'].bytes).toBe(7000);
    expect(plan.largest[0]).toEqual({
      path: '/usr/local/cuda-12.6/targets/x86_64-linux/lib/libcublas_static.a',
      bytes: 7000,
      category: 'static-archive',
    });
    expect(plan.dlopenKept.map((d) => [d.path, d.entry])).toEqual([
      ['/usr/lib/x86_64-linux-gnu/libcudnn_cnn.so.9.3.0', 'cudnn-sublibraries'],
    ]);
  });

  it('drops a dlopen-only library when its entry is ignored (the test-only override), and --keep keeps by name', () => {
    const ignored = planTrim(tree(), inputs({ ignore: ['libcudnn_cnn.so*'] }));
    expect(ignored.remove.has('/usr/lib/x86_64-linux-gnu/libcudnn_cnn.so.9.3.0')).toBe(true);
    expect(ignored.remove.has('/usr/lib/x86_64-linux-gnu/libcudnn_cnn.so.9')).toBe(true);
    const kept = planTrim(tree(), inputs({ keep: keepMatcher(['libcufft.so.11*', '/usr/local/cuda-12.6/bin/*']) }));
    expect([...kept.remove.keys()].filter((p) => p.includes('cufft') || p.includes('nvcc'))).toEqual([]);
  });

  it('applies table entries by release: cuDNN 9 sub-libraries only from 2.43', () => {
    const old = planTrim(tree(), inputs({ triton: '2.40.0' }));
    expect(old.remove.has('/usr/lib/x86_64-linux-gnu/libcudnn_cnn.so.9.3.0')).toBe(true);
  });
});

describe('categories', () => {
  it('never touches /opt/tritonserver, /etc, the entrypoint, compat libs or licenses', () => {
    for (const p of [
      '/opt/tritonserver/include/triton/core/tritonserver.h',
      '/etc/ssl/certs/ca.pem',
      '/opt/nvidia/entrypoint.d/10-banner.sh',
      '/usr/local/cuda-12.6/compat/lib.real/libcuda.so.1',
      '/usr/local/cuda-12.6/EULA.txt',
    ])
      expect(categorize(p, true), p).toBeUndefined();
    expect(categorize('/usr/lib/python3/dist-packages/numpy/core/include/numpy/x.h', false)).toBeUndefined();
    expect(categorize('/usr/lib/python3/dist-packages/x/__pycache__/y.cpython-311.pyc', false)).toBe('python-cache');
    expect(categorize('/usr/lib/x86_64-linux-gnu/libz.so.1', true)).toBeUndefined();
  });
});

describe('import changes (the flat write the bench compares with)', () => {
  it('quote env and labels so the builder substitutes nothing, and JSON-encode entrypoint and cmd', () => {
    const config = {
      Env: ['PATH=/opt/tritonserver/bin:$PATH', 'Q=say "hi"\\now'],
      Entrypoint: ['/opt/nvidia/nvidia_entrypoint.sh'],
      Cmd: ['tritonserver', '--model-repository=/models'],
      WorkingDir: '/opt/tritonserver',
      User: '',
      Labels: { 'com.nvidia.build.id': '114410854' },
    } as unknown as Parameters<typeof configChanges>[0];
    expect(configChanges(config)).toEqual([
      'ENV PATH="/opt/tritonserver/bin:\\$PATH"',
      'ENV Q="say \\"hi\\"\\\\now"',
      'LABEL "com.nvidia.build.id"="114410854"',
      'ENTRYPOINT ["/opt/nvidia/nvidia_entrypoint.sh"]',
      'CMD ["tritonserver","--model-repository=/models"]',
      'WORKDIR "/opt/tritonserver"',
    ]);
    const other = { ...config, Cmd: ['sh'] } as typeof config;
    expect(configDifferences(config, other, [])).toEqual(['Cmd']);
  });
});
