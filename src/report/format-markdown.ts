import { formatBytes } from '../core/sizes.js';
import type { SizeReport } from './size-model.js';
import type { ThresholdResult } from './thresholds.js';
import { KIND_LABEL, PACKAGE_HEADER, packageRows, pct, sizeWithCompressed } from './rows.js';

/** GitHub/GitLab-flavoured Markdown for a PR or MR comment. */
export function formatMarkdown(report: SizeReport, thresholds: readonly ThresholdResult[] = []): string {
  const lines = [
    `### tslim size report: ${pct(report.saved.percent)} smaller`,
    '',
    '| | image | size | layers |',
    '|---|---|---:|---:|',
    `| full | \`${cell(report.full.ref)}\` | ${sizeWithCompressed(report.full.bytes, report.full.compressedBytes)} | ${report.full.layers} |`,
    `| slim | \`${cell(report.slim.ref)}\` | ${sizeWithCompressed(report.slim.bytes, report.slim.compressedBytes)} | ${report.slim.layers} (${report.layers.shared} shared, ${report.layers.new} new) |`,
  ];
  if (report.min && report.ideal) {
    lines.push(`| ideal | min \`${cell(report.min.ref)}\` + kept payload | ${formatBytes(report.ideal.bytes)} | |`);
  }
  lines.push(
    '',
    `**Saved:** ${formatBytes(report.saved.bytes)} (${pct(report.saved.percent)})${
      report.saved.compressedBytes === undefined
        ? ''
        : `, compressed ${formatBytes(report.saved.compressedBytes)} (${pct(report.saved.compressedPercent ?? 0)})`
    }`,
  );
  if (report.ideal) {
    const over = report.ideal.overheadBytes;
    lines.push(
      `**Ideal:** ${formatBytes(report.ideal.bytes)}; the slim image is ${formatBytes(Math.abs(over))} ${over >= 0 ? 'over' : 'under'} it.`,
    );
  }
  lines.push('', '| kind | name | size | status |', '|---|---|---:|---|');
  for (const c of report.components) {
    lines.push(`| ${KIND_LABEL[c.kind]} | ${cell(c.name)} | ${formatBytes(c.bytes)} | ${c.status} |`);
  }
  const packages = packageRows(report);
  if (packages.length > 0) {
    lines.push(
      '',
      `| ${PACKAGE_HEADER.map((h) => h.toLowerCase()).join(' | ')} |`,
      '|---|---|---:|---:|---:|---:|---:|',
      ...packages.map((r) => `| ${r.map(cell).join(' | ')} |`),
    );
  }
  if (thresholds.length > 0) {
    lines.push('', ...thresholds.map((t) => `- ${t.ok ? '✅' : '❌'} ${t.name}: ${t.actual} (limit ${t.limit})`));
  }
  return `${lines.join('\n')}\n`;
}

/** Keeps a value from breaking the table: pipes and newlines escaped. */
function cell(text: string): string {
  return text
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/`/g, "'");
}
