import * as semver from './semver.js';

/**
 * Where compose.py/build.py changed what they emit, as semver ranges over the Triton version.
 * Each boundary is the first tag with the change (docs/upstream-facts.md has the table).
 */
export const RANGES = {
  ortLibraryPath: '<2.47.0',
  pytorchHpcxLibraryPath: '>=2.35.0',
  ucxMemEvents: '>=2.38.0',
  aptClangWget: '>=2.40.0',
  boostFromSource: '>=2.40.0 <2.43.0',
  libre2: '<2.52.0',
  userdelUbuntu: '>=2.52.0',
  aptPython3Pip: '>=2.52.0',
  softwareProperties: '<2.61.0',
  libsslDev: '>=2.70.0',
  chown: '<2.70.0',
  cudaRepoUbuntu2404: '>=2.52.0',
  dcgm4Packages: '>=2.60.0',
  pipBreakInPython: '>=2.52.0 <2.54.0',
  pipBreakGlobal: '>=2.54.0',
  tensorflowNeedsGpuMin: '<2.56.0',
  daliPythonPath: '>=2.46.0',
  pythonSelfUpgradePip: '<2.52.0',
  pythonSplitPipCalls: '<2.45.0',
  pythonVirtualenv: '>=2.45.0',
  pythonNumpyLt2: '>=2.47.0',
  pythonAptWheelSetuptools: '>=2.52.0',
  trtllmLegacyInstall: '>=2.39.0 <2.42.0',
  trtllmOpensshClient: '>=2.48.0 <2.62.0',
  cudaToolPaths: '>=2.63.0',
  vllmPip: '>=2.39.0 <2.67.0',
  vllmTorch201: '>=2.39.0 <2.40.0',
  vllmTorchLibraryPath: '>=2.55.0 <2.67.0',
  nvshmemApt: '>=2.62.0 <2.64.0',
  nvshmemAptUnlessTrtllm: '<2.63.0',
  cpuPatchelfFromPip: '>=2.55.0',
  cpuCuda13: '>=2.60.0',
  cpuNvToolsExt: '<2.57.0',
  cpuNvshmemHost: '>=2.65.0',
  cpuHpcx: '>=2.35.0',
  cpuCudnn8: '<2.43.0',
  cpuCuda121Dir: '<2.37.0',
  cpuCuda122Dir: '>=2.37.0 <2.40.0',
} as const;

export type RangeName = keyof typeof RANGES;

export function inRange(triton: string, name: RangeName): boolean {
  return semver.satisfies(triton, RANGES[name]);
}

/** Every boundary version, ascending: the recipe variant of a version is the last one at or below it. */
export function boundaries(): string[] {
  const set = new Set<string>(['2.34.0']);
  for (const range of Object.values(RANGES)) {
    for (const comparator of new semver.Range(range).set.flat()) {
      if (comparator.value !== '') set.add(comparator.semver.version);
    }
  }
  return [...set].sort(semver.compare);
}

/** A short name for the recipe generation that applies, e.g. `apt-2.61`. */
export function variantName(family: string, triton: string): string {
  const at =
    boundaries()
      .filter((b) => semver.lte(b, triton))
      .at(-1) ?? '2.34.0';
  return `${family}-${semver.major(at)}.${semver.minor(at)}`;
}
