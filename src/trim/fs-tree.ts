import type { ElfInfo } from './elf.js';

/** One path of an image's filesystem, as its tar export lists it. */
export interface FsEntry {
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  size: number;
  /** Symlink target as written, or the hardlink's first path. */
  target?: string;
  elf?: ElfInfo;
}

const MAX_HOPS = 40;

export function normalizePath(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

export function dirname(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** An image's filesystem without its bytes: paths, kinds, sizes, link targets and ELF facts. */
export class FsTree {
  private readonly entries = new Map<string, FsEntry>();
  private children: Map<string, string[]> | undefined;

  add(entry: FsEntry): void {
    this.entries.set(normalizePath(entry.path), { ...entry, path: normalizePath(entry.path) });
    this.children = undefined;
  }

  get(path: string): FsEntry | undefined {
    return this.entries.get(path);
  }

  all(): IterableIterator<FsEntry> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Names directly inside `dir` (a resolved path), sorted. */
  list(dir: string): string[] {
    if (!this.children) {
      this.children = new Map();
      // every ancestor counts as a directory, also when the listing lacks its own entry
      const seen = new Set<string>();
      for (const path of this.entries.keys()) {
        for (let child = path; child !== '/' && !seen.has(child); child = dirname(child)) {
          seen.add(child);
          const parent = dirname(child);
          const list = this.children.get(parent) ?? [];
          list.push(basename(child));
          this.children.set(parent, list);
        }
      }
      for (const list of this.children.values()) list.sort();
    }
    return this.children.get(dir) ?? [];
  }

  /**
   * Follows symlinks in every component, as the kernel does on open(2). Returns the real path and the
   * symlinks passed on the way (they must stay for the path to keep working), or undefined.
   */
  resolve(path: string): { path: string; via: string[] } | undefined {
    const via: string[] = [];
    let queue = normalizePath(path).split('/').filter(Boolean);
    let current = '/';
    let hops = 0;
    while (queue.length > 0) {
      const part = queue.shift()!;
      if (part === '.') continue;
      if (part === '..') {
        current = dirname(current);
        continue;
      }
      const next = current === '/' ? `/${part}` : `${current}/${part}`;
      const entry = this.entries.get(next);
      if (entry?.kind === 'symlink' && entry.target !== undefined) {
        if (++hops > MAX_HOPS) return undefined;
        via.push(next);
        const target = entry.target;
        queue = [...target.split('/').filter(Boolean), ...queue];
        if (target.startsWith('/')) current = '/';
        continue;
      }
      if (!entry && !this.isImpliedDir(next)) return undefined;
      current = next;
    }
    return { path: current, via };
  }

  /** The ELF facts of a regular file or of the file a hardlink names. */
  elfOf(path: string): ElfInfo | undefined {
    const entry = this.entries.get(path);
    if (entry?.kind === 'hardlink' && entry.target !== undefined)
      return this.entries.get(normalizePath(entry.target))?.elf;
    return entry?.elf;
  }

  isFile(path: string): boolean {
    const kind = this.entries.get(path)?.kind;
    return kind === 'file' || kind === 'hardlink';
  }

  private isImpliedDir(path: string): boolean {
    return this.list(path).length > 0;
  }
}
