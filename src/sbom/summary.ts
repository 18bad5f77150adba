import type { Inventory, PackageKind } from './inventory.js';

export interface KindSummary {
  packages: number;
  bytes: number;
  partial: number;
}

/**
 * Counts and bytes per kind. Kinds overlap: a Python distribution or an NVIDIA library a deb
 * installed counts in both kinds (`installedBy` says so).
 */
export function summarize(inventory: Inventory): Record<PackageKind, KindSummary> {
  const out: Record<PackageKind, KindSummary> = {
    deb: { packages: 0, bytes: 0, partial: 0 },
    python: { packages: 0, bytes: 0, partial: 0 },
    triton: { packages: 0, bytes: 0, partial: 0 },
    'nvidia-library': { packages: 0, bytes: 0, partial: 0 },
  };
  for (const pkg of inventory.packages) {
    const row = out[pkg.kind];
    row.packages += 1;
    row.bytes += pkg.bytes;
    if (pkg.completeness === 'partial') row.partial += 1;
  }
  return out;
}
