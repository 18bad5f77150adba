import { lstat, readdir, readlink } from 'node:fs/promises';
import type { LayerEntry } from './layer-tar-split.js';
import { compareText } from '../core/compare.js';

/**
 * What a layer view wants of an image: a few paths' own entries (a directory's entry, not what it
 * holds) and one directory's whole subtree. Their ancestors are wanted too: a whiteout, an opaque
 * marker or a symlink there changes what lies below.
 */
export interface WantedPaths {
  paths: readonly string[];
  subtree: string;
}

/** The wanted paths with their ancestors, parents before children. */
function withAncestors(wanted: WantedPaths): string[] {
  const all = new Set<string>();
  for (const path of [...wanted.paths, wanted.subtree]) {
    for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) all.add(path.slice(0, at));
    all.add(path);
  }
  return [...all].sort((a, b) => depth(a) - depth(b) || compareText(a, b));
}

/** The per-entry test of a layer's records (runs ~10^5 times on a real image: cheap misses). */
export function wantedTest(wanted: WantedPaths): (path: string) => boolean {
  const exact = new Set(withAncestors(wanted));
  const longest = Math.max(...[...exact].map((p) => p.length));
  const below = `${wanted.subtree}/`;
  return (path) => path.startsWith(below) || (path.length <= longest && exact.has(path));
}

/**
 * A layer's wanted entries read from its unpacked files (overlay2/CACHE-ID/diff) with one lstat
 * per wanted path, instead of from its tar-split record, which must be gunzipped whole (tens of MB
 * for a base layer). Docker unpacks a whiteout as a 0:0 character device and an opaque directory as
 * a directory with the `trusted.overlay.opaque` xattr, which Node cannot read: `dirs` lists the
 * wanted directories the layer holds, whose opacity layer-opaque.ts reads. A layer that holds the
 * subtree's root (any type) is read from its record instead: `subtree`.
 */
export type LayerProbe =
  | {
      subtree: true;
      /**
       * Whether the layer holds more than the subtree (and its parent directories): then most of
       * its record may be entries nobody wants, and reading it costs more than a container would.
       */
      mixed: boolean;
    }
  | { subtree: false; entries: LayerEntry[]; dirs: string[] };

export async function probeLayer(diff: string, wanted: WantedPaths): Promise<LayerProbe> {
  const entries: LayerEntry[] = [];
  const dirs: string[] = [];
  const present = new Set<string>();
  // parents before children, and a child only below a real directory: an lstat never follows a
  // symlink of the image's (which could lead anywhere on this host)
  for (const path of withAncestors(wanted)) {
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : undefined;
    if (parent !== undefined && !present.has(parent)) continue;
    const stat = await lstat(`${diff}/${path}`).catch((cause: NodeJS.ErrnoException) => {
      if (cause.code === 'ENOENT' || cause.code === 'ENOTDIR') return undefined;
      throw cause;
    });
    if (!stat) continue;
    if (path === wanted.subtree) return { subtree: true, mixed: await holdsMore(diff, wanted.subtree) };
    if (stat.isDirectory()) {
      present.add(path);
      dirs.push(path);
      entries.push({ path, type: 'directory', size: 0 });
    } else if (stat.isSymbolicLink()) {
      entries.push({ path, type: 'symlink', size: 0, linkname: await readlink(`${diff}/${path}`) });
    } else if (stat.isFile()) {
      entries.push({ path, type: 'file', size: stat.size });
    } else if (stat.isCharacterDevice() && stat.rdev === 0) {
      entries.push({ path, type: 'whiteout', size: 0 });
    } else {
      entries.push({ path, type: 'other', size: 0 });
    }
  }
  return { subtree: false, entries, dirs };
}

/** Whether a layer's files hold anything beside `subtree` and the directories above it. */
async function holdsMore(diff: string, subtree: string): Promise<boolean> {
  const parts = subtree.split('/');
  for (let i = 0; i < parts.length; i += 1) {
    const names = await readdir(`${diff}/${parts.slice(0, i).join('/')}`);
    if (names.some((name) => name !== parts[i])) return true;
  }
  return false;
}

function depth(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i += 1) if (path.charCodeAt(i) === 0x2f) n += 1;
  return n;
}
