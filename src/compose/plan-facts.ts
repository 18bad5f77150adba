import { TslimError } from '../core/errors.js';
import type { ImageFacts, OsRelease } from '../inspect/facts.js';
import { defaultComponents, type Release } from '../catalog/index.js';
import type { Arch } from '../catalog/recipe.js';

/** What a plan needs to know about the images, from inspecting them or from the catalog. */
export interface PlanFacts {
  source: 'image' | 'catalog';
  triton: string;
  container: string;
  fullGpu: boolean;
  /** The min image has CUDA (CUDA_VERSION in its env). */
  minCuda: boolean;
  minCudaCompat: boolean;
  os: OsRelease;
  dcgmVersion: string | undefined;
  buildId: string;
  buildRef: string;
  sagemakerServe: boolean;
  arch: Arch;
  available: { backends: string[]; repoagents: string[]; caches: string[] };
}

export function catalogFacts(release: Release, gpu: boolean, arch: Arch): PlanFacts {
  return {
    source: 'catalog',
    triton: release.triton,
    container: release.container,
    fullGpu: gpu,
    minCuda: gpu,
    minCudaCompat: gpu,
    os: { id: release.os.id, idLike: ['debian'], versionId: release.os.versionId },
    dcgmVersion: release.dcgm,
    buildId: 'unknown',
    buildRef: 'unknown',
    sagemakerServe: true,
    arch,
    available: defaultComponents(release.triton),
  };
}

/** Facts from the inspected images; the release (when known) fills what the images lack. */
export function imageFacts(
  full: ImageFacts,
  min: ImageFacts,
  arch: Arch,
  available: PlanFacts['available'],
  release?: Release,
): PlanFacts {
  const triton = full.tritonVersion ?? release?.triton;
  const container = full.containerVersion ?? release?.container;
  if (!triton || !container) {
    throw new TslimError(
      'NOT_TRITON',
      `${full.ref} does not look like a Triton image (no TRITON_SERVER_VERSION / NVIDIA_TRITON_SERVER_VERSION)`,
      {
        hint: 'pass the full tritonserver image with --image full=REF',
      },
    );
  }
  checkSameRelease(full, min, container);
  const os =
    min.os ?? (release ? { id: release.os.id, idLike: ['debian'], versionId: release.os.versionId } : undefined);
  if (!os) {
    throw new TslimError('NOT_TRITON', `${min.ref} has no /etc/os-release, so tslim cannot tell apt from dnf`, {
      hint: 'use a Linux min image with /etc/os-release',
    });
  }
  return {
    source: 'image',
    triton,
    container,
    fullGpu: full.gpuEnabled,
    minCuda: min.cudaVersion !== undefined || 'CUDA_VERSION' in min.env,
    minCudaCompat: min.cudaCompatPath !== undefined || '_CUDA_COMPAT_PATH' in min.env,
    os,
    dcgmVersion: full.dcgmVersion ?? full.env.DCGM_VERSION ?? release?.dcgm,
    buildId: full.buildId ?? full.labels['com.nvidia.build.id'] ?? 'unknown',
    buildRef: full.buildRef ?? full.labels['com.nvidia.build.ref'] ?? 'unknown',
    sagemakerServe: full.sagemakerServe,
    arch,
    available,
  };
}

/**
 * A min image of another release would get backends built against other libraries (CUDA, glibc,
 * the Triton core): refuse it. NGC min images name their release in NVIDIA_TRITON_SERVER_VERSION;
 * a plain base (CPU-only Ubuntu) names none and is not checked.
 */
function checkSameRelease(full: ImageFacts, min: ImageFacts, container: string): void {
  const minContainer = min.containerVersion ?? min.env.NVIDIA_TRITON_SERVER_VERSION;
  if (minContainer === undefined || minContainer === container) return;
  throw new TslimError(
    'BAD_RELEASE',
    `the full image ${full.ref} is release ${container} but the min image ${min.ref} is release ${minContainer}`,
    {
      hint: `use the -py3-min image of ${container} (both images must come from one release)`,
    },
  );
}

export function archOf(value: string | undefined): Arch {
  return value === 'arm64' || value === 'aarch64' ? 'aarch64' : 'x86_64';
}
