import { normalizeName } from '../sbom/python.js';
import type { Inventory, InventoryPackage, PackageKind } from '../sbom/inventory.js';

export const PACKAGE_KINDS: readonly PackageKind[] = ['deb', 'python', 'nvidia-library', 'triton'];

export interface CountBytes {
  count: number;
  bytes: number;
}

/** One kind's change from the full image to one target: what went, what came, what a trim cut. */
export interface KindDiff {
  kind: PackageKind;
  /** Packages of the full image. */
  full: number;
  /** Packages of the target. */
  target: number;
  /** In the full image, not in the target (bytes as the full image had them). */
  removed: CountBytes;
  /** In the target, not in the full image (bytes as the target has them). */
  added: CountBytes;
  /** In the target but partly: the trim removed some of their files (bytes removed). */
  partial: CountBytes;
}

export interface PackageDiff {
  /** `slim`: full -> the composed image; `trimmed`: full -> the trimmed image. */
  step: 'slim' | 'trimmed';
  ref: string;
  kinds: KindDiff[];
  /** The names removed and added (kind:name), sorted. */
  removedNames: string[];
  addedNames: string[];
}

/** A package's identity across images: a deb by name and architecture, a Python distribution by its normalized name, a library by its path. */
function key(pkg: InventoryPackage): string {
  switch (pkg.kind) {
    case 'deb':
      return `deb:${pkg.name}:${pkg.architecture ?? ''}`;
    case 'python':
      return `python:${normalizeName(pkg.name)}:${pkg.path ?? ''}`;
    case 'nvidia-library':
      return `nvidia-library:${pkg.path ?? pkg.name}`;
    case 'triton':
      return `triton:${pkg.name}`;
  }
}

function label(pkg: InventoryPackage): string {
  return `${pkg.kind}:${pkg.kind === 'nvidia-library' ? (pkg.path ?? pkg.name) : pkg.name}`;
}

export function diffPackages(full: Inventory, target: Inventory, step: PackageDiff['step']): PackageDiff {
  const before = new Map(full.packages.map((p) => [key(p), p]));
  const after = new Map(target.packages.map((p) => [key(p), p]));
  const kinds = new Map<PackageKind, KindDiff>(
    PACKAGE_KINDS.map((kind) => [
      kind,
      {
        kind,
        full: 0,
        target: 0,
        removed: { count: 0, bytes: 0 },
        added: { count: 0, bytes: 0 },
        partial: { count: 0, bytes: 0 },
      },
    ]),
  );
  const removedNames: string[] = [];
  const addedNames: string[] = [];
  for (const [k, pkg] of before) {
    const row = kinds.get(pkg.kind);
    if (!row) continue;
    row.full += 1;
    if (!after.has(k)) {
      row.removed.count += 1;
      row.removed.bytes += pkg.bytes;
      removedNames.push(label(pkg));
    }
  }
  for (const [k, pkg] of after) {
    const row = kinds.get(pkg.kind);
    if (!row) continue;
    row.target += 1;
    if (!before.has(k)) {
      row.added.count += 1;
      row.added.bytes += pkg.bytes;
      addedNames.push(label(pkg));
    }
    if (pkg.completeness === 'partial') {
      row.partial.count += 1;
      row.partial.bytes += pkg.removed?.bytes ?? 0;
    }
  }
  return {
    step,
    ref: target.image.ref,
    kinds: [...kinds.values()],
    removedNames: [...new Set(removedNames)].sort(),
    addedNames: [...new Set(addedNames)].sort(),
  };
}
