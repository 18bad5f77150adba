import type { Release } from './releases.js';

export const NGC_REPOSITORY = 'nvcr.io/nvidia/tritonserver';

export interface ReleaseImages {
  full: string;
  min: string;
  /** The GPU min image, for CPU-only builds that borrow CUDA libraries from it. */
  gpuMin: string;
}

/** NGC image names for a release; CPU-only uses the -cpu-only-py3 full image on plain Ubuntu. */
export function releaseImages(release: Release, gpu: boolean): ReleaseImages {
  const v = release.container;
  const gpuMin = `${NGC_REPOSITORY}:${v}-py3-min`;
  if (gpu) return { full: `${NGC_REPOSITORY}:${v}-py3`, min: gpuMin, gpuMin };
  // compose.py keeps ubuntu:22.04 here at every tag; the CPU-only full image is built on the
  // release's own Ubuntu (build.py), so tslim follows the release (docs/differences.md).
  return { full: `${NGC_REPOSITORY}:${v}-cpu-only-py3`, min: `ubuntu:${release.os.versionId}`, gpuMin };
}
