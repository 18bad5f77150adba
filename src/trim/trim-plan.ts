import type { DlopenEntry } from '../catalog/dlopen.js';
import { CATEGORIES, categorize, libraryPackage, type Category } from './categories.js';
import { dependencyClosure, type Closure, type Root } from './closure.js';
import { applicableEntries, asRoots, dlopenMatches, type DlopenContext } from './dlopen-roots.js';
import type { FsTree } from './fs-tree.js';
import type { SearchEnv } from './ld-search.js';
import { closureRoots } from './roots.js';
import { compareText } from '../core/compare.js';

export interface TrimInputs extends DlopenContext {
  python: boolean;
  keep: (path: string) => boolean;
  env: SearchEnv;
  table: readonly DlopenEntry[];
}

export interface Tally {
  files: number;
  bytes: number;
}

export interface TrimPlan {
  /** Paths to drop, with their category. */
  remove: Map<string, Category>;
  totalBytes: number;
  removedBytes: number;
  byCategory: Record<Category, Tally>;
  /** Unused shared libraries by package family (cudnn, tensorrt, cublas, ...). */
  byPackage: Record<string, Tally>;
  largest: { path: string; bytes: number; category: Category }[];
  /** Files the closure alone would have dropped, kept by a dlopen entry. */
  dlopenKept: { path: string; bytes: number; entry: string; why: string; source: string }[];
  closure: Pick<Closure, 'missing' | 'driver' | 'objects'> & { roots: number; kept: number };
  /** The closure's kept set, for the checks that every kept library survived. */
  kept: ReadonlySet<string>;
}

function tally(): Tally {
  return { files: 0, bytes: 0 };
}

export interface DlopenClosure {
  closure: Closure;
  dlopen: Root[];
  /** What the roots alone keep (the first round): a dlopen keep is one not in here. */
  alone: ReadonlySet<string>;
}

/**
 * Roots, then closure, then dlopen entries as new roots until nothing new is kept (a fixpoint).
 * The GPU-machine proof (scripts/trim-proof) calls this too, with its own roots.
 */
export function closureWithDlopen(
  tree: FsTree,
  roots: readonly Root[],
  entries: readonly DlopenEntry[],
  ctx: DlopenContext,
  env: SearchEnv,
): DlopenClosure {
  const dlopen: Root[] = [];
  const rooted = new Set(roots.map((r) => r.path));
  let alone: ReadonlySet<string> | undefined;
  for (let round = 0; ; round++) {
    const closure = dependencyClosure(tree, [...roots, ...dlopen], env);
    alone ??= closure.keep;
    const fresh = asRoots(dlopenMatches(tree, entries, closure.keep, ctx)).filter((r) => !rooted.has(r.path));
    if (fresh.length === 0 || round > 16) return { closure, dlopen, alone };
    for (const r of fresh) rooted.add(r.path);
    dlopen.push(...fresh);
  }
}

/** What `--trim` removes from the image whose filesystem is `tree`, and why the rest stays. */
export function planTrim(tree: FsTree, inputs: TrimInputs): TrimPlan {
  const roots = closureRoots(tree, inputs);
  const entries = applicableEntries(inputs.table, inputs);
  const found = closureWithDlopen(tree, roots, entries, inputs, inputs.env);
  const { closure } = found;
  const remove = new Map<string, Category>();
  let totalBytes = 0;
  for (const entry of tree.all()) {
    totalBytes += entry.kind === 'file' ? entry.size : 0;
    if (entry.kind !== 'file' && entry.kind !== 'hardlink') continue;
    if (closure.keep.has(entry.path) || inputs.keep(entry.path)) continue;
    const category = categorize(entry.path, tree.elfOf(entry.path)?.type === 'dyn');
    if (category) remove.set(entry.path, category);
  }
  keepHardlinkGroups(tree, remove);
  // Symlinks go with what they point at: a link to a removed file would dangle.
  for (const entry of tree.all()) {
    if (entry.kind !== 'symlink' || closure.keep.has(entry.path) || inputs.keep(entry.path)) continue;
    const target = tree.resolve(entry.path);
    const category = target ? remove.get(target.path) : undefined;
    if (category) remove.set(entry.path, category);
  }
  return summarize(tree, remove, totalBytes, found, roots.length, entries);
}

/** A hardlinked file stays whole when any of its names stays (the tar names one body for all). */
function keepHardlinkGroups(tree: FsTree, remove: Map<string, Category>): void {
  for (const entry of tree.all()) {
    if (entry.kind !== 'hardlink' || !entry.target) continue;
    const first = entry.target.startsWith('/') ? entry.target : `/${entry.target}`;
    if (remove.has(entry.path) !== remove.has(first)) {
      remove.delete(entry.path);
      remove.delete(first);
    }
  }
}

function summarize(
  tree: FsTree,
  remove: Map<string, Category>,
  totalBytes: number,
  { closure, dlopen, alone }: DlopenClosure,
  roots: number,
  entries: readonly DlopenEntry[],
): TrimPlan {
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, tally()])) as Record<Category, Tally>;
  const byPackage: Record<string, Tally> = {};
  const sized: { path: string; bytes: number; category: Category }[] = [];
  let removedBytes = 0;
  for (const [path, category] of remove) {
    const entry = tree.get(path);
    const bytes = entry?.kind === 'file' ? entry.size : 0;
    removedBytes += bytes;
    byCategory[category].files++;
    byCategory[category].bytes += bytes;
    if (category === 'unused-library') {
      const t = (byPackage[libraryPackage(path) ?? 'other'] ??= tally());
      t.files++;
      t.bytes += bytes;
    }
    if (bytes > 0) sized.push({ path, bytes, category });
  }
  sized.sort((a, b) => b.bytes - a.bytes || compareText(a.path, b.path));
  const dlopenKept: TrimPlan['dlopenKept'] = [];
  const listed = new Set<string>();
  for (const r of dlopen) {
    const real = tree.resolve(r.path)?.path;
    if (!real || alone.has(real) || !tree.isFile(real) || listed.has(real)) continue;
    listed.add(real);
    const entry = entries.find((e) => `dlopen: ${e.id}` === r.why)!;
    dlopenKept.push({
      path: real,
      bytes: tree.get(real)?.size ?? 0,
      entry: entry.id,
      why: entry.why,
      source: entry.source,
    });
  }
  return {
    remove,
    totalBytes,
    removedBytes,
    byCategory,
    byPackage,
    largest: sized.slice(0, 20),
    dlopenKept,
    closure: {
      missing: closure.missing,
      driver: closure.driver,
      objects: closure.objects,
      roots: roots + dlopen.length,
      kept: closure.keep.size,
    },
    kept: closure.keep,
  };
}
