import { formatBytes } from '../core/sizes.js';
import type { SizeReport } from './size-model.js';
import type { ThresholdResult } from './thresholds.js';
import { KIND_LABEL, PACKAGE_HEADER, packageRows, summaryRows } from './rows.js';

/** The terminal report: a summary block and the component table, plain text, no colour. */
export function formatTable(report: SizeReport, thresholds: readonly ThresholdResult[] = []): string {
  const summary = summaryRows(report);
  const width = Math.max(...summary.map(([k]) => k.length));
  const lines = summary.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  lines.push('');
  lines.push(
    ...columns(
      [
        ['KIND', 'NAME', 'SIZE', 'STATUS'],
        ...report.components.map((c) => [KIND_LABEL[c.kind], c.name, formatBytes(c.bytes), c.status]),
      ],
      [false, false, true, false],
    ),
  );
  const packages = packageRows(report);
  if (packages.length > 0) {
    lines.push('', ...columns([PACKAGE_HEADER, ...packages], [false, false, true, true, true, true, true]));
  }
  if (thresholds.length > 0) {
    lines.push('');
    for (const t of thresholds) lines.push(`${t.ok ? 'ok  ' : 'FAIL'}  ${t.name}: ${t.actual} (limit ${t.limit})`);
  }
  return `${lines.join('\n')}\n`;
}

function columns(rows: string[][], rightAlign: boolean[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (rightAlign[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
