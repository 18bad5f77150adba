import { formatBytes } from '../core/sizes.js';
import type { Component, ImageFacts } from './facts.js';
import { compareText } from '../core/compare.js';

const SIZE_METHODS = {
  layers: "the engine's layer store",
  du: 'du in a container',
  stream: 'streamed archive',
  none: '-',
} as const;

/** Human view of ImageFacts: a fact list then one table per component kind, largest first. */
export function formatFacts(facts: ImageFacts): string {
  const rows: [string, string][] = [
    ['image', facts.ref],
    ['id', facts.id.replace(/^sha256:/, '').slice(0, 12)],
    ['size', formatBytes(facts.size)],
    ['triton', facts.tritonVersion ?? '-'],
    ['container version', facts.containerVersion ?? '-'],
    ['os', facts.os?.prettyName ?? (facts.os ? `${facts.os.id} ${facts.os.versionId}` : '-')],
    ['gpu enabled', facts.gpuEnabled ? 'yes' : 'no'],
    ['cuda', facts.cudaVersion ?? '-'],
    ['dcgm', facts.dcgmVersion ?? '-'],
    ['build', [facts.buildId, facts.buildRef].filter(Boolean).join(' ') || '-'],
    ['sagemaker serve', facts.sagemakerServe ? 'yes' : 'no'],
    ['entrypoint', facts.entrypoint.join(' ') || '-'],
    ['sizes by', SIZE_METHODS[facts.sizeMethod ?? 'none']],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  for (const [title, list] of [
    ['backends', facts.backends],
    ['repoagents', facts.repoagents],
    ['caches', facts.caches],
  ] as const) {
    lines.push('', componentTable(title, list));
  }
  return `${lines.join('\n')}\n`;
}

function componentTable(title: string, list: readonly Component[]): string {
  if (list.length === 0) return `${title}: none`;
  const sorted = [...list].sort((a, b) => b.bytes - a.bytes || compareText(a.name, b.name));
  const nameWidth = Math.max(title.length, ...sorted.map((c) => c.name.length));
  const sizes = sorted.map((c) => formatBytes(c.bytes));
  const sizeWidth = Math.max(4, ...sizes.map((s) => s.length));
  const total = sorted.reduce((sum, c) => sum + c.bytes, 0);
  const out = [`${title.toUpperCase().padEnd(nameWidth)}  ${'SIZE'.padStart(sizeWidth)}  FILES`];
  sorted.forEach((c, i) =>
    out.push(`${c.name.padEnd(nameWidth)}  ${(sizes[i] ?? '').padStart(sizeWidth)}  ${c.files}`),
  );
  out.push(`${'total'.padEnd(nameWidth)}  ${formatBytes(total).padStart(sizeWidth)}`);
  return out.join('\n');
}
