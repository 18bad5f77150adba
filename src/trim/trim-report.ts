import { formatBytes } from '../core/sizes.js';
import { CATEGORIES } from './categories.js';
import type { TrimOutcome } from './trim-image.js';

/** The trim outcome as plain JSON (--json, tslim report): figures, never the whole path list. */
export function trimJson(outcome: TrimOutcome): Record<string, unknown> {
  const { plan } = outcome;
  const after = outcome.trimmed?.bytes;
  return {
    untrimmed: outcome.untrimmed,
    trimmed: outcome.trimmed ?? null,
    ratio: after !== undefined ? Number((after / outcome.untrimmed.bytes).toFixed(4)) : null,
    removedBytes: plan.removedBytes,
    removedFiles: plan.remove.size,
    filesystemBytes: plan.totalBytes,
    byCategory: plan.byCategory,
    byPackage: plan.byPackage,
    largest: plan.largest,
    keptForDlopen: plan.dlopenKept,
    closure: plan.closure,
    analysis: outcome.analysis,
    buildMs: outcome.buildMs ?? null,
    // each layer of the untrimmed image: kept as it was (diffId = from) or rewritten without the removed entries
    layers: outcome.layers ?? null,
    // the -min base the image was built on, and how many bottom layers are its
    base: outcome.base ?? null,
  };
}

/** The human report: sizes, removed bytes by category and package, the largest files, dlopen keeps. */
export function formatTrim(outcome: TrimOutcome): string {
  const { plan } = outcome;
  const lines: string[] = [];
  const before = outcome.untrimmed.bytes;
  if (outcome.trimmed) {
    const after = outcome.trimmed.bytes;
    lines.push(
      `trim: ${formatBytes(before)} -> ${formatBytes(after)} (${((after / before) * 100).toFixed(1)} % of the untrimmed, compose.py-equivalent image)`,
    );
    const layers = outcome.layers ?? [];
    const kept = layers.filter((l) => l.diffId === l.from).length;
    lines.push(
      `layers: ${kept} of ${layers.length} kept as they were (same digests), ${layers.length - kept} rewritten without the removed entries`,
    );
    lines.push(...baseLines(outcome));
  } else
    lines.push(
      `trim (report only, nothing written): ${formatBytes(plan.removedBytes)} of ${formatBytes(before)} would go`,
    );
  lines.push('', 'removed by category:');
  for (const c of CATEGORIES) {
    const t = plan.byCategory[c];
    if (t.files > 0) lines.push(`  ${c.padEnd(16)} ${formatBytes(t.bytes).padStart(10)}  ${t.files} files`);
  }
  const packages = Object.entries(plan.byPackage).sort((a, b) => b[1].bytes - a[1].bytes);
  if (packages.length > 0) {
    lines.push('', 'unused shared libraries by package:');
    for (const [name, t] of packages)
      lines.push(`  ${name.padEnd(16)} ${formatBytes(t.bytes).padStart(10)}  ${t.files} files`);
  }
  if (plan.largest.length > 0) {
    lines.push('', `largest removed files (${plan.largest.length}):`);
    for (const f of plan.largest) lines.push(`  ${formatBytes(f.bytes).padStart(10)}  ${f.path}`);
  }
  if (plan.dlopenKept.length > 0) {
    lines.push('', 'kept only because a kept component dlopens them (catalog dlopen table):');
    for (const d of plan.dlopenKept) lines.push(`  ${formatBytes(d.bytes).padStart(10)}  ${d.path}  [${d.entry}]`);
  }
  const missing = plan.closure.missing;
  if (missing.length > 0) {
    lines.push('', 'needed but not in the image (the untrimmed image lacks them too):');
    for (const m of missing.slice(0, 10)) lines.push(`  ${m.name} (needed by ${m.by})`);
  }
  lines.push(
    '',
    `closure: ${plan.closure.roots} roots, ${plan.closure.objects} ELF objects, ${plan.closure.kept} paths kept; ` +
      `analysis ${(outcome.analysis.ms / 1000).toFixed(1)} s over ${formatBytes(outcome.analysis.streamedBytes)}`,
  );
  return lines.join('\n') + '\n';
}

/**
 * What a node that holds -min pulls, trimmed and untrimmed: the trim rewrites the -min layers that
 * lose files, so such a node pulls them again, where the untrimmed image costs it its compose layers
 * only. (A node holding nothing pulls the smaller, trimmed image; one holding an earlier build of
 * the same trim pulls only what changed: the same input gives the same layers.)
 */
function baseLines(outcome: TrimOutcome): string[] {
  const { base, layers = [] } = outcome;
  if (!base) return [];
  // such a node has -min's layers as they were: it pulls every other layer
  const trimmed = layers.filter((l, i) => i >= base.layers || l.diffId !== l.from);
  const untrimmed = layers.slice(base.layers).reduce((n, l) => n + l.bytes + l.droppedBytes, 0);
  const rewritten = layers.slice(0, base.layers).filter((l) => l.diffId !== l.from);
  const line = `pull by a node that holds -min (uncompressed): ${formatBytes(sum(trimmed))} trimmed, ${formatBytes(untrimmed)} untrimmed`;
  if (rewritten.length === 0) return [line];
  return [
    `${line}; ${formatBytes(sum(rewritten))} of it in ${rewritten.length} -min layers the trim rewrote ` +
      `(for such nodes the untrimmed image is the cheaper pull: docs/trim.md)`,
  ];
}

function sum(layers: readonly { bytes: number }[]): number {
  return layers.reduce((n, l) => n + l.bytes, 0);
}
