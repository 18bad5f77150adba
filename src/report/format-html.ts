import { formatBytes } from '../core/sizes.js';
import type { SizeReport } from './size-model.js';
import type { ThresholdResult } from './thresholds.js';
import { KIND_LABEL, PACKAGE_HEADER, packageRows, summaryRows } from './rows.js';

interface Bar {
  label: string;
  bytes: number;
  kind: 'full' | 'slim' | 'ideal' | 'min' | 'kept' | 'dropped' | 'added';
}

const COLORS: Record<Bar['kind'], string> = {
  full: '#6b7280',
  slim: '#16a34a',
  ideal: '#2563eb',
  min: '#93c5fd',
  kept: '#16a34a',
  dropped: '#dc2626',
  added: '#d97706',
};

/** A self-contained HTML page: the summary, an inline SVG bar chart, the component table. */
export function formatHtml(report: SizeReport, thresholds: readonly ThresholdResult[] = []): string {
  const images: Bar[] = [
    { label: 'full', bytes: report.full.bytes, kind: 'full' },
    { label: 'slim', bytes: report.slim.bytes, kind: 'slim' },
    ...(report.ideal ? [{ label: 'ideal', bytes: report.ideal.bytes, kind: 'ideal' as const }] : []),
    ...(report.min ? [{ label: 'min', bytes: report.min.bytes, kind: 'min' as const }] : []),
  ];
  const components: Bar[] = report.components.map((c) => ({
    label: `${KIND_LABEL[c.kind]} ${c.name}`,
    bytes: c.bytes,
    kind: c.status,
  }));
  const summary = summaryRows(report)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('\n');
  const rows = report.components
    .map(
      (c) =>
        `<tr class="${c.status}"><td>${esc(KIND_LABEL[c.kind])}</td><td>${esc(c.name)}</td><td class="n">${esc(formatBytes(c.bytes))}</td><td>${c.status}</td></tr>`,
    )
    .join('\n');
  const packageTable = packageRows(report);
  const packages =
    packageTable.length === 0
      ? ''
      : `<h2>Packages (from the images' SBOMs)</h2>
<table class="packages">
<tr>${PACKAGE_HEADER.map((h) => `<th>${esc(h.toLowerCase())}</th>`).join('')}</tr>
${packageTable.map((r) => `<tr>${r.map((v, i) => `<td${i >= 2 ? ' class="n"' : ''}>${esc(v)}</td>`).join('')}</tr>`).join('\n')}
</table>
`;
  const checks = thresholds
    .map(
      (t) =>
        `<li class="${t.ok ? 'ok' : 'fail'}">${t.ok ? 'ok' : 'FAIL'}: ${esc(t.name)} ${esc(t.actual)} (limit ${esc(t.limit)})</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tslim size report: ${esc(report.slim.ref)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #111; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: 2px 10px; text-align: left; border-bottom: 1px solid #e5e7eb; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.dropped td { color: #991b1b; }
li.fail { color: #991b1b; font-weight: bold; }
</style>
</head>
<body>
<h1>tslim size report</h1>
<table class="summary">
${summary}
</table>
${checks ? `<ul class="thresholds">\n${checks}\n</ul>\n` : ''}<h2>Sizes</h2>
${svgChart(images, components)}
<h2>Backends, repository agents, caches</h2>
<table class="components">
<tr><th>kind</th><th>name</th><th>size</th><th>status</th></tr>
${rows}
</table>
${packages}</body>
</html>
`;
}

/** Horizontal bars, one scale per group (images; components), labels left, sizes right. */
export function svgChart(images: readonly Bar[], components: readonly Bar[]): string {
  const rowHeight = 22;
  const labelWidth = 220;
  const barWidth = 440;
  const width = labelWidth + barWidth + 90;
  const parts: string[] = [];
  let y = 0;
  const group = (title: string, bars: readonly Bar[]): void => {
    if (bars.length === 0) return;
    parts.push(`<text x="0" y="${y + 14}" font-weight="bold">${esc(title)}</text>`);
    y += rowHeight;
    const max = Math.max(1, ...bars.map((b) => b.bytes));
    for (const bar of bars) {
      const w = Math.max(1, Math.round((bar.bytes / max) * barWidth));
      parts.push(
        `<g class="bar ${bar.kind}"><text x="0" y="${y + 15}">${esc(bar.label)}</text>` +
          `<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowHeight - 6}" fill="${COLORS[bar.kind]}"><title>${esc(`${bar.label}: ${bar.bytes} bytes`)}</title></rect>` +
          `<text x="${labelWidth + w + 6}" y="${y + 15}">${esc(formatBytes(bar.bytes))}</text></g>`,
      );
      y += rowHeight;
    }
    y += rowHeight / 2;
  };
  group('images', images);
  group('components (green kept, red dropped)', components);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-label="image and component sizes">\n${parts.join('\n')}\n</svg>`;
}

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
