// The GPU-machine proof's analysis step: tslim's own closure code (dist/trim) over the Python
// environment's CUDA library wheels, with every ELF object of torch/ as the roots (the analogue of a
// kept backend directory). Writes the kept set and what would go.
// usage: node analyse.mjs SITE_PACKAGES OUT.json [--no-dlopen]
import { writeFileSync } from 'node:fs';
import { DLOPEN_TABLE } from '../../dist/catalog/dlopen.js';
import { applicableEntries } from '../../dist/trim/dlopen-roots.js';
import { closureWithDlopen } from '../../dist/trim/trim-plan.js';
import { localTree } from '../../dist/trim/local-tree.js';

const [site, out, flag] = process.argv.slice(2);
const started = performance.now();
const tree = localTree(site);
const readMs = performance.now() - started;
const roots = [...tree.all()]
  .filter((e) => e.kind === 'file' && e.path.startsWith('/torch/') && e.elf)
  .map((e) => ({ path: e.path, why: 'torch' }));
const ctx = { backends: ['pytorch'], triton: '2.64.0', ignore: [] };
const entries = flag === '--no-dlopen' ? [] : applicableEntries(DLOPEN_TABLE, ctx);
const env = { ldLibraryPath: [], cacheDirs: [] };
const { closure, dlopen, alone: closureOnly } = closureWithDlopen(tree, roots, entries, ctx, env);
// Candidates: every shared object (and link to one) of the CUDA library wheels, nvidia/*.
const libs = [...tree.all()].filter(
  (e) => e.path.startsWith('/nvidia/') && /\.so(\.\d+)*$/.test(e.path) && e.kind !== 'dir',
);
const remove = libs.filter((e) => !closure.keep.has(e.path));
const keep = libs.filter((e) => closure.keep.has(e.path));
const bytes = (list) => list.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
const byPackage = {};
for (const e of remove) {
  const pkg = e.path.split('/')[2];
  byPackage[pkg] = (byPackage[pkg] ?? 0) + (e.kind === 'file' ? e.size : 0);
}
const result = {
  dlopenTable: flag !== '--no-dlopen',
  analysisMs: Math.round(performance.now() - started),
  readMs: Math.round(readMs),
  entries: tree.size,
  roots: roots.length,
  objects: closure.objects,
  missing: closure.missing,
  driver: [...new Set(closure.driver.map((d) => d.name))],
  keep: keep.map((e) => e.path),
  remove: remove.map((e) => ({ path: e.path, bytes: e.kind === 'file' ? e.size : 0 })),
  keptBytes: bytes(keep),
  removedBytes: bytes(remove),
  byPackage,
  dlopenKept: dlopen
    .filter((r) => !closureOnly.has(tree.resolve(r.path)?.path ?? r.path))
    .map((r) => ({ path: r.path, why: r.why, bytes: tree.get(tree.resolve(r.path)?.path ?? '')?.size ?? 0 })),
};
writeFileSync(out, JSON.stringify(result, null, 2));
console.log(
  `analysis ${result.analysisMs} ms over ${result.entries} paths: keep ${keep.length} libs ${(result.keptBytes / 1e6).toFixed(0)} MB, ` +
    `remove ${remove.length} ${(result.removedBytes / 1e6).toFixed(0)} MB, dlopen-kept ${result.dlopenKept.length}, missing ${result.missing.length}`,
);
