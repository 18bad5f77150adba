import { usageError } from '../core/errors.js';

/** What `--gpus` asked for: none, all, a count, or device ids (indexes or UUIDs). */
export type GpuSelection =
  { kind: 'none' } | { kind: 'all' } | { kind: 'count'; count: number } | { kind: 'devices'; ids: string[] };

/** How GPUs reach the container: the nvidia device driver (Container Toolkit hook) or CDI names. */
export type GpuDriver = 'nvidia' | 'cdi';

/** Engine API HostConfig.DeviceRequests entry (API >= 1.40; CDI names need the `cdi` driver, API >= 1.44). */
export interface DeviceRequest {
  Driver: string;
  Count?: number;
  DeviceIDs?: string[];
  Capabilities?: string[][];
  Options: Record<string, string>;
}

/** Parses `all`, `none`, `N`, `device=0,1` or `device=GPU-uuid` the way `docker run --gpus` reads them. */
export function parseGpus(text: string): GpuSelection {
  const value = text.trim().replace(/^"(.*)"$/, '$1');
  if (value === 'all') return { kind: 'all' };
  if (value === 'none' || value === '0') return { kind: 'none' };
  if (/^\d+$/.test(value)) return { kind: 'count', count: Number(value) };
  const m = /^device=(.+)$/.exec(value);
  if (m?.[1]) {
    const ids = m[1]
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (ids.length > 0 && ids.every((id) => /^(\d+|GPU-[0-9a-fA-F-]+|MIG-[0-9a-zA-Z/-]+)$/.test(id)))
      return { kind: 'devices', ids };
  }
  throw usageError(
    `invalid --gpus value '${text}'`,
    'use all, none, a count (2) or device=ID[,ID] with indexes or GPU-/MIG- UUIDs',
  );
}

export function gpusRequested(selection: GpuSelection): boolean {
  return selection.kind !== 'none';
}

/** The DeviceRequests for a selection: what `docker run --gpus` sends, or CDI device names. */
export function deviceRequests(selection: GpuSelection, driver: GpuDriver = 'nvidia'): DeviceRequest[] {
  if (selection.kind === 'none') return [];
  if (driver === 'cdi') {
    // CDI has no count: name the devices (nvidia-ctk cdi generate makes nvidia.com/gpu=all, =0, =UUID).
    const names =
      selection.kind === 'all'
        ? ['all']
        : selection.kind === 'count'
          ? Array.from({ length: selection.count }, (_, i) => String(i))
          : selection.ids;
    return [{ Driver: 'cdi', DeviceIDs: names.map((n) => `nvidia.com/gpu=${n}`), Options: {} }];
  }
  const base = { Driver: 'nvidia', Capabilities: [['gpu']], Options: {} };
  if (selection.kind === 'all') return [{ ...base, Count: -1 }];
  if (selection.kind === 'count') return [{ ...base, Count: selection.count }];
  return [{ ...base, DeviceIDs: selection.ids }];
}

export function describeGpus(selection: GpuSelection): string {
  switch (selection.kind) {
    case 'none':
      return 'no GPU';
    case 'all':
      return 'all GPUs';
    case 'count':
      return `${selection.count} GPU${selection.count === 1 ? '' : 's'}`;
    case 'devices':
      return `GPU ${selection.ids.join(',')}`;
  }
}

/**
 * Messages that mean the process saw no usable GPU, as opposed to a broken backend. Triton says
 * "no GPUs are available" / "invalid or unsupported gpu id" when a KIND_GPU instance group meets a
 * container without devices; CUDA says "no CUDA-capable device" or "driver version is insufficient".
 */
const GPU_VISIBILITY = [
  /no GPUs are available/i,
  /invalid or unsupported gpu id/i,
  /no CUDA-capable device is detected/i,
  /CUDA driver version is insufficient/i,
  /unable to get number of CUDA devices/i,
  /found no NVIDIA driver on your system/i,
];

export function isGpuVisibilityMessage(text: string): boolean {
  return GPU_VISIBILITY.some((re) => re.test(text));
}

/** Engine errors that mean the engine cannot hand out GPUs at all (no nvidia runtime, no CDI spec). */
const ENGINE_GPU_ERRORS = [
  /could not select device driver/i,
  /unresolvable CDI devices/i,
  /nvidia-container-cli/i,
  /CDI device injection failed/i,
];

export function isEngineGpuError(text: string): boolean {
  return ENGINE_GPU_ERRORS.some((re) => re.test(text));
}
