import { formatBytes } from '../core/sizes.js';
import type { ComponentKind } from '../inspect/facts.js';
import type { SizeReport } from './size-model.js';

/** Shared wording for the formatters, so table, Markdown and HTML say the same thing. */
export const KIND_LABEL: Record<ComponentKind, string> = {
  backends: 'backend',
  repoagents: 'repoagent',
  caches: 'cache',
};

export function pct(value: number): string {
  return `${value.toFixed(1)} %`;
}

export function sizeWithCompressed(bytes: number, compressed: number | undefined): string {
  return compressed === undefined
    ? formatBytes(bytes)
    : `${formatBytes(bytes)} (${formatBytes(compressed)} compressed)`;
}

/** Label/value pairs of the summary, in order. */
export function summaryRows(report: SizeReport): [string, string][] {
  const rows: [string, string][] = [
    ['full image', `${report.full.ref}  ${sizeWithCompressed(report.full.bytes, report.full.compressedBytes)}`],
    ['slim image', `${report.slim.ref}  ${sizeWithCompressed(report.slim.bytes, report.slim.compressedBytes)}`],
    [
      'saved',
      `${formatBytes(report.saved.bytes)} (${pct(report.saved.percent)})${
        report.saved.compressedBytes === undefined
          ? ''
          : `; compressed ${formatBytes(report.saved.compressedBytes)} (${pct(report.saved.compressedPercent ?? 0)})`
      }`,
    ],
    ['layers', `${report.layers.total} in slim: ${report.layers.shared} shared with full, ${report.layers.new} new`],
    [
      'payload',
      `kept ${report.payload.kept} (${formatBytes(report.payload.keptBytes)}), dropped ${report.payload.dropped} (${formatBytes(report.payload.droppedBytes)})`,
    ],
  ];
  if (report.trim) {
    const parts = Object.entries(report.trim.byCategory)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${formatBytes(n)}`);
    rows.push([
      'trimmed',
      `${formatBytes(report.trim.removedBytes)} removed from ${report.trim.from.slice(0, 19)} (${parts.join(', ')})`,
    ]);
    const l = report.trim.layers;
    if (l)
      rows.push([
        'trim layers',
        `${l.sharedWithMin} of ${l.total} shared with min; a node holding min pulls ${formatBytes(l.pullBytes)} (uncompressed)`,
      ]);
  }
  if (report.ideal && report.min) {
    const over = report.ideal.overheadBytes;
    rows.push([
      'ideal',
      `${formatBytes(report.ideal.bytes)} (min ${formatBytes(report.min.bytes)} + kept payload); slim is ${over >= 0 ? `${formatBytes(over)} over` : `${formatBytes(-over)} under`} (ideal = ${pct(report.ideal.percentOfSlim)} of slim)`,
    ]);
  }
  return rows;
}

/** Header and rows of the package diff (one row per step and kind), the same in every format. */
export const PACKAGE_HEADER = ['TO', 'KIND', 'FULL', 'TARGET', 'REMOVED', 'ADDED', 'PARTIAL (TRIM)'];

export function packageRows(report: SizeReport): string[][] {
  const both = (c: { count: number; bytes: number }): string =>
    c.count === 0 ? '0' : `${c.count} (${formatBytes(c.bytes)})`;
  return (report.packages ?? []).flatMap((diff) =>
    diff.kinds.map((k) => [
      diff.step,
      k.kind,
      String(k.full),
      String(k.target),
      both(k.removed),
      both(k.added),
      diff.step === 'trimmed' ? both(k.partial) : '-',
    ]),
  );
}
