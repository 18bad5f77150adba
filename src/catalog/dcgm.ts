import * as semver from './semver.js';
import type { Family } from './recipe.js';

/**
 * DCGM package specs with their version pin. The package family follows the DCGM major being
 * installed (4.x has the -4-core/-4-dev split) rather than the Triton version alone, so a
 * --dcgm-version override on either side of 2.60 still names packages that exist.
 */
export function dcgmPackages(family: Family, version: string, triton: string): string[] {
  const major = Number(version.split(/[.-]/)[0]);
  const dcgm4 = Number.isFinite(major) ? major >= 4 : semver.gte(triton, '2.60.0');
  if (family === 'dnf') {
    if (!dcgm4) return [`datacenter-gpu-manager-${version}`];
    // dnf pins as name-epoch:version; build.py wrote `=` for 2.60–2.63, which dnf rejects.
    return [`datacenter-gpu-manager-4-core-1:${version}`, `datacenter-gpu-manager-4-devel-1:${version}`];
  }
  if (!dcgm4) return [`datacenter-gpu-manager=1:${version}`];
  return [`datacenter-gpu-manager-4-core=1:${version}`, `datacenter-gpu-manager-4-dev=1:${version}`];
}
