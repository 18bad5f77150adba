import type { ImageFiles } from './image-files.js';
import { wantsSoname } from './image-files.js';
import type { InventoryPackage } from './inventory-types.js';

/**
 * NVIDIA shared libraries present (trim's scope: the CUDA tree, and the cuDNN, TensorRT, NCCL,
 * cuBLAS, … families anywhere): one per regular file, named by its SONAME's stem
 * (`libcudnn.so.9` -> libcudnn), versioned by the file name (`libcudnn.so.9.1.0` -> 9.1.0), else
 * by the SONAME's suffix. Symlinks (the SONAME and dev links) are the same library.
 */
export async function nvidiaLibraries(
  files: ImageFiles,
  owners: ReadonlyMap<string, string>,
): Promise<InventoryPackage[]> {
  const out: InventoryPackage[] = [];
  for (const [path, entry] of files.entries) {
    if (entry.type !== 'file' || !wantsSoname(path)) continue;
    const soname = await files.soname(path).catch(() => undefined);
    const file = path.slice(path.lastIndexOf('/') + 1);
    const { name, version } = libraryVersion(file, soname);
    const owner = owners.get(path);
    out.push({
      kind: 'nvidia-library',
      name,
      version,
      bytes: entry.size,
      completeness: 'complete',
      path: `/${path}`,
      ...(soname ? { soname } : {}),
      ...(owner ? { installedBy: owner } : {}),
    });
  }
  return out;
}

/** Name and version of a library from its file name and SONAME. */
export function libraryVersion(file: string, soname: string | undefined): { name: string; version: string } {
  const fromFile = /^(.+?)\.so\.(\d[\w.]*)$/.exec(file);
  const fromSoname = soname ? /^(.+?)\.so(?:\.(\d[\w.]*))?$/.exec(soname) : null;
  const name = fromSoname?.[1] ?? fromFile?.[1] ?? file.replace(/\.so$/, '');
  const version = fromFile?.[2] ?? fromSoname?.[2] ?? 'unknown';
  return { name, version };
}
