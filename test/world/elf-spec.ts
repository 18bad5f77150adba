/**
 * The -min fixture's accelerator stack, ELF-real: which shared objects sit where, their SONAMEs,
 * DT_NEEDED chains and which are loaded only with dlopen, modelled on the real -py3-min layout with
 * sizes (MiB at scale 1) from docs/upstream-facts.md ("Trim"). Static archives, headers, tools and docs
 * are plain bytes. Everything is scaled by the world's scale knob.
 */
export interface ElfSpec {
  /** Absolute path of the real file. */
  path: string;
  soname?: string;
  needed: string[];
  runpath?: string;
  /** Names this object dlopens in TRITONBACKEND_Initialize (backends only), failing with dlerror(). */
  dlopen?: string[];
  exe?: boolean;
  /** Symlinks (names in the same dir) to the file: SONAME and development links. */
  links: string[];
  mib: number;
}

export interface RawSpec {
  path: string;
  mib: number;
}

export interface MinLayout {
  elf: ElfSpec[];
  raw: RawSpec[];
  /** ld.so.conf.d file -> its dir. */
  ldconf: Record<string, string>;
  /** dir symlinks: path -> target (/usr/local/cuda itself is made by the -min Dockerfile). */
  dirLinks: Record<string, string>;
}

/** CUDA-major-dependent SONAME versions (CUDA 12 vs 13 toolkits). */
export function sonames(cudaMajor: number) {
  const m = cudaMajor;
  return {
    cudart: `libcudart.so.${m}`,
    cublas: `libcublas.so.${m}`,
    cublasLt: `libcublasLt.so.${m}`,
    cufft: `libcufft.so.${m - 1}`,
    curand: 'libcurand.so.10',
    cusparse: 'libcusparse.so.12',
    cusolver: `libcusolver.so.${m - 1}`,
    nvjitlink: `libnvJitLink.so.${m}`,
    nvrtc: `libnvrtc.so.${m}`,
    nvrtcBuiltins: `libnvrtc-builtins.so.${m}.0`,
    cupti: `libcupti.so.${m}`,
    cudnn: 'libcudnn.so.9',
    nvinfer: 'libnvinfer.so.10',
    nvinferPlugin: 'libnvinfer_plugin.so.10',
    nvonnxparser: 'libnvonnxparser.so.10',
    builderResource: 'libnvinfer_builder_resource.so.10.3.0',
    nccl: 'libnccl.so.2',
  };
}

const CUDNN_SUBS: [string, number, string[]][] = [
  ['libcudnn_graph.so.9', 5, []],
  ['libcudnn_ops.so.9', 110, ['libcudnn_graph.so.9']],
  ['libcudnn_cnn.so.9', 5, ['libcudnn_ops.so.9', 'libcudnn_graph.so.9']],
  ['libcudnn_adv.so.9', 240, ['libcudnn_ops.so.9', 'libcudnn_graph.so.9']],
  ['libcudnn_heuristic.so.9', 50, []],
  ['libcudnn_engines_precompiled.so.9', 600, ['libcudnn_graph.so.9']],
  ['libcudnn_engines_runtime_compiled.so.9', 60, ['libcudnn_graph.so.9']],
];

/** What cuDNN 9's shim dlopens (the backends' Initialize opens these on its behalf). */
export const CUDNN_DLOPEN = CUDNN_SUBS.map(([n]) => n);

function lib(path: string, soname: string, needed: string[], mib: number, devLink = true): ElfSpec {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const file = path.slice(path.lastIndexOf('/') + 1);
  const links = [soname, ...(devLink ? [soname.replace(/\.so\..*$/, '.so')] : [])].filter((l) => l !== file);
  return { path: `${dir}/${file}`, soname, needed, links: [...new Set(links)], mib };
}

export function minLayout(cudaVersion: string): MinLayout {
  const major = Number(cudaVersion.split('.')[0]);
  const minor = cudaVersion.split('.')[1] ?? '0';
  const s = sonames(major);
  const root = `/usr/local/cuda-${major}.${minor}`;
  const cu = `${root}/targets/x86_64-linux/lib`;
  const sys = '/usr/lib/x86_64-linux-gnu';
  const elf: ElfSpec[] = [
    lib(`${cu}/${s.cudart}.${minor}.77`, s.cudart, [], 0.7),
    lib(`${cu}/${s.cublasLt}.${minor}.4.1`, s.cublasLt, [], 430),
    lib(`${cu}/${s.cublas}.${minor}.4.1`, s.cublas, [s.cublasLt], 97),
    lib(`${cu}/${s.cufft}.3.0.4`, s.cufft, [], 280),
    lib(`${cu}/libcufftw.so.${major - 1}.3.0.4`, `libcufftw.so.${major - 1}`, [s.cufft], 1),
    lib(`${cu}/${s.curand}.3.7.77`, s.curand, [], 92),
    lib(`${cu}/${s.nvjitlink}.${minor}.85`, s.nvjitlink, [], 51),
    lib(`${cu}/${s.cusparse}.5.3.2`, s.cusparse, [s.nvjitlink], 268),
    lib(`${cu}/${s.cusolver}.7.1.2`, s.cusolver, [s.cublas, s.cublasLt, s.cusparse, s.nvjitlink], 193),
    lib(`${cu}/${s.nvrtc}.${minor}.85`, s.nvrtc, [], 60),
    { path: `${cu}/${s.nvrtcBuiltins}`, soname: s.nvrtcBuiltins, needed: [], links: [], mib: 4 },
    lib(`${cu}/libnppc.so.${major}.${minor}.1`, `libnppc.so.${major}`, [], 2),
    lib(`${cu}/libnppial.so.${major}.${minor}.1`, `libnppial.so.${major}`, [`libnppc.so.${major}`], 17),
    lib(`${cu}/libnppif.so.${major}.${minor}.1`, `libnppif.so.${major}`, [`libnppc.so.${major}`], 220),
    lib(`${cu}/libnvjpeg.so.${major}.${minor}.1`, `libnvjpeg.so.${major}`, [], 6),
    lib(`${root}/extras/CUPTI/lib64/${s.cupti}.${minor}.80`, s.cupti, [], 42),
    lib(`${root}/nvvm/lib64/libnvvm.so.4.0.0`, 'libnvvm.so.4', [], 26),
    lib(`${sys}/libcudnn.so.9.3.0`, s.cudnn, [], 1),
    ...CUDNN_SUBS.map(([n, mib, needed]) => lib(`${sys}/${n}.3.0`, n, needed, mib)),
    lib(`${sys}/libnvinfer.so.10.3.0`, s.nvinfer, [], 500),
    { path: `${sys}/${s.builderResource}`, soname: s.builderResource, needed: [], links: [], mib: 1800 },
    lib(`${sys}/libnvinfer_plugin.so.10.3.0`, s.nvinferPlugin, [s.nvinfer], 300),
    lib(`${sys}/libnvonnxparser.so.10.3.0`, s.nvonnxparser, [s.nvinfer], 5),
    lib(`${sys}/libnvinfer_lean.so.10.3.0`, 'libnvinfer_lean.so.10', [], 200),
    lib(`${sys}/libnvinfer_dispatch.so.10.3.0`, 'libnvinfer_dispatch.so.10', [], 10),
    lib(`${sys}/libnccl.so.2.22.3`, s.nccl, [], 230),
    { path: `${root}/bin/nvcc`, needed: [], exe: true, links: [], mib: 20 },
    { path: `${root}/bin/ptxas`, needed: [], exe: true, links: [], mib: 30 },
    { path: `${root}/bin/nvdisasm`, needed: [], exe: true, links: [], mib: 50 },
    { path: `${root}/bin/cuobjdump`, needed: [], exe: true, links: [], mib: 10 },
    { path: `${root}/bin/compute-sanitizer`, needed: [], exe: true, links: [], mib: 4 },
    // no /usr/src/tensorrt/bin/trtexec: the world's images have no TensorRT builder (verify tests
    // rely on that); the tool category is covered by the CUDA bin tools
  ];
  const raw: RawSpec[] = [
    { path: `${cu}/libcublas_static.a`, mib: 250 },
    { path: `${cu}/libcublasLt_static.a`, mib: 400 },
    { path: `${cu}/libcufft_static.a`, mib: 570 },
    { path: `${cu}/libcusparse_static.a`, mib: 290 },
    { path: `${cu}/libcusolver_static.a`, mib: 210 },
    { path: `${cu}/libcurand_static.a`, mib: 95 },
    { path: `${cu}/libnpp_static.a`, mib: 242 },
    { path: `${cu}/libnvrtc_static.a`, mib: 66 },
    { path: `${cu}/libnvJitLink_static.a`, mib: 60 },
    { path: `${cu}/libcudart_static.a`, mib: 1 },
    { path: `${sys}/libnccl_static.a`, mib: 240 },
    { path: `${root}/targets/x86_64-linux/include/cublas_api.h`, mib: 0.3 },
    { path: `${root}/targets/x86_64-linux/include/cuda_runtime_api.h`, mib: 0.5 },
    { path: `${root}/targets/x86_64-linux/include/cusparse.h`, mib: 0.3 },
    { path: `${root}/targets/x86_64-linux/include/thrust/detail/headers.h`, mib: 40 },
    { path: '/usr/include/x86_64-linux-gnu/cudnn_graph_v9.h', mib: 0.5 },
    { path: '/usr/include/x86_64-linux-gnu/NvInfer.h', mib: 0.5 },
    { path: `${cu}/cmake/libcublas/libcublas-config.cmake`, mib: 0.01 },
    { path: `${cu}/pkgconfig/cublas-${major}.pc`, mib: 0.01 },
    { path: `${root}/doc/html/index.html`, mib: 8 },
    { path: `${root}/EULA.txt`, mib: 0.06 },
    { path: '/usr/share/doc/libcudnn9-cuda/changelog.Debian.gz', mib: 0.01 },
    { path: '/usr/share/doc/libcudnn9-cuda/copyright', mib: 0.01 },
    { path: `${root}/nsight-compute-2024.3.1/ncu.bin`, mib: 150 },
  ];
  return {
    elf,
    raw,
    ldconf: {
      [`/etc/ld.so.conf.d/988_cuda-${major}.conf`]: cu,
      [`/etc/ld.so.conf.d/cupti.conf`]: `${root}/extras/CUPTI/lib64`,
    },
    dirLinks: { [`${root}/lib64`]: 'targets/x86_64-linux/lib' },
  };
}
