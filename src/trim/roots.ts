import type { FsTree } from './fs-tree.js';
import type { Root } from './closure.js';

export interface RootInputs {
  /** Whether the python backend is kept: the interpreter and its extension modules become roots. */
  python: boolean;
  keep: (path: string) => boolean;
}

const PYTHON_DIRS = /^\/usr\/(local\/)?lib\/python3[^/]*\//;

function why(path: string): string {
  const m = /^\/opt\/tritonserver\/(backends|repoagents|caches)\/([^/]+)\//.exec(path);
  if (m) return `${m[1]!.replace(/s$/, '')} ${m[2]}`;
  if (path.startsWith('/opt/tritonserver/lib/')) return 'tritonserver core';
  return 'tritonserver';
}

/**
 * The closure's starting points: every ELF object under /opt/tritonserver (after compose it holds only
 * the server and the kept backends, repoagents and caches), the python interpreter and its extension
 * modules when the python backend is kept, and what --keep names.
 */
export function closureRoots(tree: FsTree, inputs: RootInputs): Root[] {
  const roots: Root[] = [];
  for (const entry of tree.all()) {
    if (entry.kind !== 'file' && entry.kind !== 'hardlink' && entry.kind !== 'symlink') continue;
    const p = entry.path;
    if (inputs.keep(p)) roots.push({ path: p, why: '--keep' });
    else if (entry.kind === 'symlink') continue;
    else if (!tree.elfOf(p)) continue;
    else if (p.startsWith('/opt/tritonserver/')) roots.push({ path: p, why: why(p) });
    else if (inputs.python && PYTHON_DIRS.test(p)) roots.push({ path: p, why: 'python backend (interpreter modules)' });
  }
  if (inputs.python) {
    for (const exe of ['/usr/bin/python3', '/usr/local/bin/python3']) {
      const real = tree.resolve(exe);
      if (real && tree.elfOf(real.path)) roots.push({ path: exe, why: 'python backend (interpreter)' });
    }
  }
  return roots;
}
