import type { FsTree } from './fs-tree.js';
import { findNeeded, type LoadedObject, type SearchEnv } from './ld-search.js';

/** Libraries the NVIDIA container runtime mounts from the host driver at run time: never in an image. */
export const DRIVER_PROVIDED = /^lib(cuda|nvidia-[\w.-]+|nvcuvid|nvoptix|nvidia)\.so(\.\d+)*$/;

export interface Root {
  path: string;
  /** Why it is a root: "backend onnxruntime", "dlopen: ...", "--keep ...". */
  why: string;
}

export interface Closure {
  /** Every path that must stay: real files, and the symlinks and paths they are reached by. */
  keep: Set<string>;
  /** Real file -> the first object (or root reason) that pulled it in. */
  reason: Map<string, string>;
  /** Needs nothing in the image satisfies, except those the driver provides. */
  missing: { name: string; by: string }[];
  /** Needs the driver satisfies at run time (libcuda.so.1 ...). */
  driver: { name: string; by: string }[];
  /** ELF objects walked. */
  objects: number;
}

/** The ELF dynamic-dependency closure of `roots`, resolved as ld.so would inside the image. */
export function dependencyClosure(tree: FsTree, roots: Root[], env: SearchEnv): Closure {
  const out: Closure = { keep: new Set(), reason: new Map(), missing: [], driver: [], objects: 0 };
  const queue: { object: LoadedObject; loaders: LoadedObject[] }[] = [];
  const visit = (path: string, why: string, loaders: LoadedObject[]): void => {
    const resolved = tree.resolve(path);
    if (!resolved) return;
    out.keep.add(path);
    for (const v of resolved.via) out.keep.add(v);
    if (out.reason.has(resolved.path)) return;
    out.keep.add(resolved.path);
    out.reason.set(resolved.path, why);
    const entry = tree.get(resolved.path);
    if (entry?.kind === 'hardlink' && entry.target) out.keep.add(tree.resolve(entry.target)?.path ?? entry.target);
    const elf = tree.elfOf(resolved.path);
    if (!elf) return;
    out.objects++;
    if (elf.interp) {
      const interp = tree.resolve(elf.interp);
      if (interp) visit(elf.interp, `interpreter of ${path}`, []);
    }
    queue.push({ object: { path, elf }, loaders });
  };
  for (const root of roots) visit(root.path, root.why, []);
  while (queue.length > 0) {
    const { object, loaders } = queue.shift()!;
    for (const name of object.elf.needed) {
      const found = findNeeded(tree, name, object, loaders, env);
      if (found) {
        out.keep.add(found.path);
        for (const v of found.via) out.keep.add(v);
        visit(found.path, object.path, [object, ...loaders]);
      } else if (DRIVER_PROVIDED.test(name)) out.driver.push({ name, by: object.path });
      else out.missing.push({ name, by: object.path });
    }
  }
  return out;
}
