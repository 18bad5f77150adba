import { usageError } from '../core/errors.js';
import { releaseImages, requireRelease, type Release } from '../catalog/index.js';
import { inRange } from '../catalog/ranges.js';
import type { ComposeInputs } from './inputs.js';
import { applyMirrors } from './mirrors.js';

export interface SourceImages {
  release: Release | undefined;
  /** As requested (NGC names or --image values). */
  requested: { full: string; min: string; gpuMin?: string };
  /** What the FROM lines use, after --registry-mirror. */
  used: { full: string; min: string; gpuMin?: string };
}

function needsGpuMin(inputs: ComposeInputs, triton: string | undefined): boolean {
  if (inputs.gpu) return false;
  if (inputs.backends.includes('pytorch')) return true;
  return inputs.backends.includes('tensorflow') && (triton === undefined || inRange(triton, 'tensorflowNeedsGpuMin'));
}

/** Picks full/min(/gpu-min) references from --image or the catalog, as compose.py does. */
export function sourceImages(inputs: ComposeInputs): SourceImages {
  const release = inputs.containerVersion ? requireRelease(inputs.containerVersion) : undefined;
  const given = inputs.images;
  let full = given.full;
  let min = given.min;
  if (!full || !min) {
    if (full || min)
      throw usageError(
        '--image needs both full and min (or neither)',
        'e.g. --image full=nvcr.io/nvidia/tritonserver:24.09-py3 --image min=nvcr.io/nvidia/tritonserver:24.09-py3-min',
      );
    if (!release)
      throw usageError(
        'say which release: --version YY.MM (alias --container-version), or --image full=REF --image min=REF',
      );
    ({ full, min } = releaseImages(release, inputs.gpu));
  }
  let gpuMin = given['gpu-min'];
  if (!gpuMin && needsGpuMin(inputs, release?.triton)) {
    if (!release)
      throw usageError('a CPU-only build with pytorch needs the GPU min image: add --image gpu-min=REF or --version');
    gpuMin = releaseImages(release, true).gpuMin;
  }
  const requested = { full, min, ...(gpuMin ? { gpuMin } : {}) };
  const rewrite = (ref: string): string => applyMirrors(ref, inputs.registryMirrors);
  const used = { full: rewrite(full), min: rewrite(min), ...(gpuMin ? { gpuMin: rewrite(gpuMin) } : {}) };
  return { release, requested, used };
}
