import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readElf, type ByteReader } from './elf.js';
import { FsTree } from './fs-tree.js';

/** A reader over a local file that reads only the ranges asked for (libtorch_cuda is ~1 GB). */
function fileReader(fd: number): ByteReader {
  return (offset, length) => {
    const buf = Buffer.alloc(length);
    const got = readSync(fd, buf, 0, length, offset);
    return got === length ? buf : undefined;
  };
}

/**
 * A local directory as an FsTree rooted at `/` (what `mount` would show in a container). Used by
 * the GPU-machine proof (scripts/trim-proof) and the unit tests; images go through image-tree.
 */
export function localTree(root: string): FsTree {
  const tree = new FsTree();
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const path = `${rel}/${name}`;
      const st = lstatSync(full);
      if (st.isSymbolicLink()) tree.add({ path, kind: 'symlink', size: 0, target: readlinkSync(full) });
      else if (st.isDirectory()) {
        tree.add({ path, kind: 'dir', size: 0 });
        walk(full, path);
      } else if (st.isFile()) {
        const fd = openSync(full, 'r');
        try {
          const elf = readElf(fileReader(fd));
          tree.add({ path, kind: 'file', size: st.size, ...(elf ? { elf } : {}) });
        } finally {
          closeSync(fd);
        }
      } else tree.add({ path, kind: 'other', size: 0 });
    }
  };
  tree.add({ path: '/', kind: 'dir', size: 0 });
  walk(root, '');
  return tree;
}
