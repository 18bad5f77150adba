import * as semver from '../catalog/semver.js';
import type { DlopenEntry } from '../catalog/dlopen.js';
import type { Root } from './closure.js';
import { basename, type FsTree } from './fs-tree.js';
import { keepMatcher } from './glob.js';

export interface DlopenContext {
  backends: readonly string[];
  /** Triton version of the image, e.g. 2.50.0. */
  triton: string;
  /** File-name globs whose table entries are ignored (test-only override: proves an entry matters). */
  ignore: readonly string[];
}

export interface DlopenMatch {
  path: string;
  entry: DlopenEntry;
}

export function applicableEntries(table: readonly DlopenEntry[], ctx: DlopenContext): DlopenEntry[] {
  return table.filter(
    (e) =>
      semver.satisfies(ctx.triton, e.releases, { includePrerelease: true }) &&
      (e.backends === 'any' || e.backends.some((b) => ctx.backends.includes(b))),
  );
}

/** Paths a table entry keeps, given what the closure keeps so far; those already roots are skipped. */
export function dlopenMatches(
  tree: FsTree,
  entries: readonly DlopenEntry[],
  kept: ReadonlySet<string>,
  ctx: DlopenContext,
): DlopenMatch[] {
  const keptNames = new Set([...kept].map(basename));
  const live = entries.filter((e) => !e.when || [...keptNames].some((n) => e.when!.test(n)));
  const ignored = keepMatcher(ctx.ignore);
  const out: DlopenMatch[] = [];
  for (const entry of tree.all()) {
    if (entry.kind === 'dir' || entry.kind === 'other') continue;
    if (entry.path.startsWith('/proc/')) continue;
    const name = basename(entry.path);
    if (ignored(name)) continue;
    const match = live.find((e) => e.keep.test(name));
    if (match) out.push({ path: entry.path, entry: match });
  }
  return out;
}

export function asRoots(matches: readonly DlopenMatch[]): Root[] {
  return matches.map((m) => ({ path: m.path, why: `dlopen: ${m.entry.id}` }));
}
