import { cpuLibs, type CpuLibs } from './cpu-libs.js';
import { inRange, variantName } from './ranges.js';

export type Family = 'apt' | 'dnf';
export type Arch = 'x86_64' | 'aarch64';

export interface PythonStep {
  /** ENV PIP_BREAK_SYSTEM_PACKAGES=1 inside the step (2.52–2.53). */
  pipBreak: boolean;
  packages: string[];
  selfUpgradePip: boolean;
  /** pip install --upgrade calls, in order. */
  pipCalls: string[][];
}

/** What the release's recipe emits for these backends; user overrides are applied by the plan. */
export interface Recipe {
  variant: string;
  family: Family;
  chown: boolean;
  pipBreakGlobal: boolean;
  ortLibraryPath: boolean;
  pytorchHpcxLibraryPath: boolean;
  ucxMemEvents: boolean;
  userdelUbuntu: boolean;
  packages: string[];
  boost: boolean;
  cudaRepoDist: 'ubuntu2204' | 'ubuntu2404';
  cudaKeyring: string;
  python: PythonStep | undefined;
  trtllmOpensshClient: boolean;
  trtllmLegacyInstall: boolean;
  cudaToolPaths: boolean;
  vllm: { packages: string[]; torchLibraryPath: boolean } | undefined;
  daliPythonPath: boolean;
  nvshmem: boolean;
  gpuMinStage: boolean;
  cpuLibs: CpuLibs | undefined;
}

export interface RecipeInput {
  triton: string;
  family: Family;
  backends: readonly string[];
  gpu: boolean;
  arch: Arch;
  vllmVersion: string | undefined;
}

function aptPackages(v: string, backends: readonly string[], arch: Arch): string[] {
  const list = [
    'curl',
    'dirmngr',
    'git',
    'gperf',
    'libb64-0d',
    'libcurl4-openssl-dev',
    'libgoogle-perftools-dev',
    'libjemalloc-dev',
    'libnuma-dev',
  ];
  if (inRange(v, 'aptClangWget')) list.push('clang', 'wget');
  if (inRange(v, 'libre2')) list.push('libre2-9');
  if (inRange(v, 'softwareProperties')) list.push('software-properties-common');
  if (inRange(v, 'aptPython3Pip')) list.push('python3-pip');
  if (inRange(v, 'libsslDev')) list.push('libssl-dev');
  if (backends.includes('onnxruntime') || backends.includes('pytorch')) list.push('libgomp1');
  if (backends.includes('pytorch') && arch === 'aarch64') list.push('libgfortran5');
  if (backends.includes('fastertransformer')) list.push('openssh-server');
  return list.sort();
}

function dnfPackages(): string[] {
  return [
    'git',
    'gperf',
    're2-devel',
    'openssl-devel',
    'libtool',
    'libcurl-devel',
    'libb64-devel',
    'gperftools-devel',
    'patchelf',
    'wget',
    'numactl-devel',
  ].sort();
}

function pythonStep(v: string, family: Family): PythonStep {
  const numpy = inRange(v, 'pythonNumpyLt2') ? 'numpy<2' : 'numpy';
  const packages =
    family === 'dnf'
      ? ['python3', 'python3-pip', 'libarchive-devel', 'openssl-devel', 'readline-devel']
      : [
          'python3',
          'libarchive-dev',
          'python3-pip',
          'libpython3-dev',
          ...(inRange(v, 'pythonAptWheelSetuptools') ? ['python3-wheel', 'python3-setuptools'] : []),
        ];
  let pipCalls: string[][];
  if (inRange(v, 'pythonSplitPipCalls')) pipCalls = [['wheel', 'setuptools'], [numpy]];
  else if (inRange(v, 'pythonAptWheelSetuptools') && family === 'apt') pipCalls = [[numpy, 'virtualenv']];
  else pipCalls = [['wheel', 'setuptools', numpy, 'virtualenv']];
  return {
    pipBreak: inRange(v, 'pipBreakInPython'),
    packages: packages.sort(),
    selfUpgradePip: inRange(v, 'pythonSelfUpgradePip') || family === 'dnf',
    pipCalls,
  };
}

export function recipeFor(input: RecipeInput): Recipe {
  const { triton: v, family, backends, gpu, arch } = input;
  const has = (name: string): boolean => backends.includes(name);
  const vllm = has('vllm') && inRange(v, 'vllmPip') && input.vllmVersion !== undefined;
  const noble = inRange(v, 'cudaRepoUbuntu2404');
  return {
    variant: variantName(family, v),
    family,
    chown: inRange(v, 'chown'),
    pipBreakGlobal: inRange(v, 'pipBreakGlobal'),
    ortLibraryPath: has('onnxruntime') && inRange(v, 'ortLibraryPath'),
    pytorchHpcxLibraryPath: has('pytorch') && inRange(v, 'pytorchHpcxLibraryPath'),
    ucxMemEvents: inRange(v, 'ucxMemEvents'),
    userdelUbuntu: inRange(v, 'userdelUbuntu'),
    packages: family === 'apt' ? aptPackages(v, backends, arch) : dnfPackages(),
    boost: inRange(v, 'boostFromSource'),
    cudaRepoDist: noble ? 'ubuntu2404' : 'ubuntu2204',
    cudaKeyring: noble ? 'cuda-keyring_1.1-1_all.deb' : 'cuda-keyring_1.0-1_all.deb',
    python: has('python') ? pythonStep(v, family) : undefined,
    trtllmOpensshClient: has('tensorrtllm') && inRange(v, 'trtllmOpensshClient') && family === 'apt',
    trtllmLegacyInstall: has('tensorrtllm') && inRange(v, 'trtllmLegacyInstall'),
    cudaToolPaths: (has('tensorrtllm') || has('vllm')) && inRange(v, 'cudaToolPaths'),
    vllm: vllm
      ? {
          packages: [...(inRange(v, 'vllmTorch201') ? ['torch==2.0.1'] : []), `vllm==${input.vllmVersion}`],
          torchLibraryPath: inRange(v, 'vllmTorchLibraryPath'),
        }
      : undefined,
    daliPythonPath: has('dali') && inRange(v, 'daliPythonPath'),
    nvshmem:
      family === 'apt' && inRange(v, 'nvshmemApt') && !(has('tensorrtllm') && inRange(v, 'nvshmemAptUnlessTrtllm')),
    gpuMinStage: !gpu && (has('pytorch') || (has('tensorflow') && inRange(v, 'tensorflowNeedsGpuMin'))),
    cpuLibs: gpu ? undefined : cpuLibs(v, backends, arch),
  };
}
