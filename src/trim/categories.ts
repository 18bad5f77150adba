/** What a removable path is, for the report; undefined: never removed (the OS, /etc, the server). */
export type Category =
  'unused-library' | 'static-archive' | 'header' | 'build-metadata' | 'docs' | 'tool' | 'python-cache';

export const CATEGORIES: readonly Category[] = [
  'unused-library',
  'static-archive',
  'header',
  'build-metadata',
  'docs',
  'tool',
  'python-cache',
];

const CUDA = String.raw`/usr/local/cuda[^/]*`;
const PROTECTED = [
  /^\/opt\/tritonserver(\/|$)/,
  /^\/etc\//,
  /^\/opt\/nvidia\/(nvidia_entrypoint\.sh|entrypoint\.d)(\/|$)/,
  new RegExp(`^${CUDA}/compat(/|$)`),
  /^\/(proc|sys|dev|tmp|run)\//,
];
/** License texts stay wherever they are: removing them is not ours to decide. */
const LICENSE = /^(copyright|licen[cs]e|notice|eula)([._-].*)?$/i;

const TOOLS = [
  new RegExp(`^${CUDA}/(bin|nvvm/bin|nsight[^/]*|compute-sanitizer|libnvvp|extras/demo_suite|gds/tools)/`),
  /^\/opt\/nvidia\/nsight[^/]*\//,
  /^\/usr\/src\/tensorrt\//,
];
const DOCS = [/^\/usr\/share\/(doc|man|info)\//, new RegExp(`^${CUDA}/(doc|share/doc|extras/.*/doc)/`)];
/** System and CUDA include dirs; headers inside python packages stay (torch's JIT extension builds read them). */
const HEADER = new RegExp(`^(/usr/include/|/usr/local/include/|${CUDA}/(.*/)?include/)`);
const BUILD_META = new RegExp(`^(/usr/(local/)?(lib[^/]*|share)/(.*/)?|${CUDA}/(.*/)?)(cmake|pkgconfig)/`);
const PYCACHE = /(\/__pycache__\/|\.pyc$)/;

/** NVIDIA library families outside the CUDA tree (cuDNN, TensorRT, NCCL debs put them in the system lib dir). */
const FAMILIES: [RegExp, string][] = [
  [/^libcudnn/, 'cudnn'],
  [/^lib(nvinfer|nvonnxparser|nvparsers)/, 'tensorrt'],
  [/^libnccl/, 'nccl'],
  [/^lib(cublas|nvblas)/, 'cublas'],
  [/^libcufft/, 'cufft'],
  [/^libcurand/, 'curand'],
  [/^libcusolver/, 'cusolver'],
  [/^libcusparse/, 'cusparse'],
  [/^libnpp/, 'npp'],
  [/^libnvjpeg/, 'nvjpeg'],
  [/^libnvrtc/, 'nvrtc'],
  [/^libnvJitLink/, 'nvjitlink'],
  [/^lib(cupti|nvperf)/, 'cupti'],
  [/^libcudart/, 'cudart'],
  [/^libnvToolsExt|^libnvtx/, 'nvtx'],
  [/^libcufile/, 'cufile'],
  [/^libnvvm/, 'nvvm'],
];

export function isProtected(path: string): boolean {
  return PROTECTED.some((re) => re.test(path));
}

/** The library's package family (for the report), or undefined when it is not NVIDIA's. */
export function libraryPackage(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const family = FAMILIES.find(([re]) => re.test(name))?.[1];
  if (family) return family;
  return new RegExp(`^${CUDA}/`).test(path) ? 'cuda-other' : undefined;
}

/** Whether a shared object at `path` is in trim's scope: the CUDA tree, or an NVIDIA family anywhere. */
export function inLibraryScope(path: string): boolean {
  if (!/\.so(\.\d+)*$/.test(path)) return false;
  return libraryPackage(path) !== undefined;
}

/**
 * The category a path not needed at run time falls in; `library` says whether it is an ELF shared
 * object (only those can be unused libraries). Kept paths never reach here.
 */
export function categorize(path: string, library: boolean): Category | undefined {
  if (isProtected(path)) return undefined;
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (LICENSE.test(name)) return undefined;
  if (TOOLS.some((re) => re.test(path))) return 'tool';
  if (DOCS.some((re) => re.test(path))) return 'docs';
  if (PYCACHE.test(path)) return 'python-cache';
  if (path.endsWith('.a')) return 'static-archive';
  if (BUILD_META.test(path)) return 'build-metadata';
  if (HEADER.test(path)) return 'header';
  if (library && inLibraryScope(path)) return 'unused-library';
  return undefined;
}
