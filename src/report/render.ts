import type { SizeReport } from './size-model.js';
import type { ThresholdResult } from './thresholds.js';
import { formatTable } from './format-table.js';
import { formatJson } from './format-json.js';
import { formatMarkdown } from './format-markdown.js';
import { formatHtml } from './format-html.js';

export const REPORT_FORMATS = ['table', 'json', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** One entry point for `tslim report` and `tslim compose --report FORMAT`. */
export function renderReport(
  report: SizeReport,
  format: ReportFormat,
  thresholds: readonly ThresholdResult[] = [],
): string {
  switch (format) {
    case 'table':
      return formatTable(report, thresholds);
    case 'json':
      return `${JSON.stringify(formatJson(report, thresholds))}\n`;
    case 'markdown':
      return formatMarkdown(report, thresholds);
    case 'html':
      return formatHtml(report, thresholds);
  }
}
