/**
 * What the fixture full images put under /opt/tritonserver/{backends,repoagents,caches}: file
 * names and byte sizes with the real images' proportions, times the scale knob. Bytes are
 * incompressible (urandom) so layer and registry sizes behave like the real thing.
 */
export type PayloadKind = 'backends' | 'repoagents' | 'caches';

interface DirSpec {
  kind: PayloadKind;
  name: string;
  /** Real-ish size at scale 1, in MiB. */
  mib: number;
  /** File name -> share of the directory's bytes. */
  files: Record<string, number>;
}

const lib = (name: string): string => `libtriton_${name}.so`;

const DIRS: readonly DirSpec[] = [
  {
    kind: 'backends',
    name: 'pytorch',
    mib: 1900,
    files: {
      [lib('pytorch')]: 0.01,
      'libtorch_cuda.so': 0.55,
      'libtorch_cpu.so': 0.3,
      'libc10_cuda.so': 0.02,
      'libc10.so': 0.02,
      'libtorchvision.so': 0.05,
      'libtorchtrt_runtime.so': 0.05,
    },
  },
  {
    kind: 'backends',
    name: 'tensorflow',
    mib: 1500,
    files: { [lib('tensorflow')]: 0.01, 'libtensorflow_cc.so.2': 0.6, 'libtensorflow_framework.so.2': 0.39 },
  },
  {
    kind: 'backends',
    name: 'dali',
    mib: 900,
    files: { [lib('dali')]: 0.02, 'libdali.so': 0.3, 'libdali_kernels.so': 0.35, 'libdali_operators.so': 0.33 },
  },
  {
    kind: 'backends',
    name: 'onnxruntime',
    mib: 600,
    files: {
      [lib('onnxruntime')]: 0.01,
      'libonnxruntime.so': 0.5,
      'libonnxruntime_providers_cuda.so': 0.4,
      'libonnxruntime_providers_tensorrt.so': 0.08,
      'libonnxruntime_providers_shared.so': 0.01,
    },
  },
  { kind: 'backends', name: 'fil', mib: 300, files: { [lib('fil')]: 0.3, 'libcuml++.so': 0.5, 'libtreelite.so': 0.2 } },
  {
    kind: 'backends',
    name: 'openvino',
    mib: 250,
    files: {
      [lib('openvino')]: 0.02,
      'libopenvino.so': 0.5,
      'libopenvino_intel_cpu_plugin.so': 0.4,
      'libopenvino_onnx_frontend.so': 0.08,
    },
  },
  { kind: 'backends', name: 'python', mib: 30, files: { [lib('python')]: 0.1, triton_python_backend_stub: 0.9 } },
  { kind: 'backends', name: 'tensorrt', mib: 5, files: { [lib('tensorrt')]: 1 } },
  { kind: 'backends', name: 'identity', mib: 0.2, files: { [lib('identity')]: 1 } },
  { kind: 'backends', name: 'repeat', mib: 0.2, files: { [lib('repeat')]: 1 } },
  { kind: 'backends', name: 'square', mib: 0.2, files: { [lib('square')]: 1 } },
  { kind: 'repoagents', name: 'checksum', mib: 0.1, files: { 'libtritonrepoagent_checksum.so': 1 } },
  { kind: 'caches', name: 'local', mib: 0.3, files: { 'libtritoncache_local.so': 1 } },
  { kind: 'caches', name: 'redis', mib: 1, files: { 'libtritoncache_redis.so': 1 } },
];

/** Text files that ride along with a payload directory (their bytes count too). */
export interface TextFile {
  path: string;
  content: string;
}

export interface PayloadFile {
  /** Path under /opt/tritonserver. */
  path: string;
  bytes: number;
}

export interface PayloadPlan {
  files: PayloadFile[];
  texts: TextFile[];
  /** Exact bytes per directory: what `payload` in world.json reports. */
  totals: Record<PayloadKind, Record<string, number>>;
}

export function planPayload(scale: number, texts: TextFile[]): PayloadPlan {
  const files: PayloadFile[] = [];
  const totals: PayloadPlan['totals'] = { backends: {}, repoagents: {}, caches: {} };
  for (const dir of DIRS) {
    const total = Math.max(Object.keys(dir.files).length, Math.round(dir.mib * 1024 * 1024 * scale));
    const entries = Object.entries(dir.files);
    let left = total;
    entries.forEach(([name, share], i) => {
      const bytes = i === entries.length - 1 ? left : Math.max(1, Math.floor(total * share));
      left -= bytes;
      files.push({ path: `${dir.kind}/${dir.name}/${name}`, bytes });
    });
    totals[dir.kind][dir.name] = total;
  }
  for (const text of texts) {
    const [kind, name] = text.path.split('/') as [PayloadKind, string];
    totals[kind][name] = (totals[kind][name] ?? 0) + Buffer.byteLength(text.content);
  }
  return { files, texts, totals };
}
