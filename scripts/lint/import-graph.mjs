// tslim's own import graph, read from the source text: every relative specifier of an import, an
// export-from, an `import type` or a literal `import('...')` is an edge (a type-only import is still a
// dependency between the modules: both must change together). Used by the lint rule no-import-cycle.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The relative specifiers a module's text names. */
export function specifiersOf(text) {
  return [...text.matchAll(SPECIFIER)].map((m) => m[1]);
}

/** The file a relative specifier names: NodeNext's `./x.js` is `./x.ts` in the sources. */
export function resolveSpecifier(fromFile, specifier) {
  const target = resolve(dirname(fromFile), specifier);
  for (const candidate of [target.replace(/\.js$/, '.ts'), target]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const cache = new Map();

/** The files `file` imports (its text read from disk, cached by modification time). */
export function importsOf(file) {
  let mtime;
  try {
    mtime = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const hit = cache.get(file);
  if (hit?.mtime === mtime) return hit.imports;
  const imports = specifiersOf(readFileSync(file, 'utf8'))
    .map((s) => resolveSpecifier(file, s))
    .filter((f) => f?.endsWith('.ts'));
  cache.set(file, { mtime, imports });
  return imports;
}

/** A shortest path of imports from `start` back to `target` (both included), or undefined. */
export function pathBack(start, target, imports = importsOf) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const next of imports(file)) {
      if (next === target) {
        const path = [target];
        for (let at = file; at !== undefined; at = previous.get(at)) path.unshift(at);
        return path;
      }
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return undefined;
}
