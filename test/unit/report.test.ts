import { describe, expect, it } from 'vitest';
import type { Component, ImageFacts } from '../../src/inspect/facts.js';
import { buildSizeModel } from '../../src/report/size-model.js';
import { checkThresholds, parseThresholds } from '../../src/report/thresholds.js';
import { formatTable } from '../../src/report/format-table.js';
import { formatJson, REPORT_JSON_SCHEMA } from '../../src/report/format-json.js';
import { formatMarkdown } from '../../src/report/format-markdown.js';
import { formatHtml } from '../../src/report/format-html.js';
import { validate } from '../support/json-schema-lite.js';

const c = (name: string, bytes: number): Component => ({ name, bytes, files: 1 });

function facts(
  ref: string,
  size: number,
  layers: string[],
  parts: Partial<Pick<ImageFacts, 'backends' | 'repoagents' | 'caches'>>,
): ImageFacts {
  return {
    ref,
    id: `sha256:${ref.length.toString(16).padStart(64, '0')}`,
    size,
    layers,
    env: {},
    labels: {},
    entrypoint: [],
    cmd: [],
    user: '',
    workingDir: '',
    gpuEnabled: false,
    sagemakerServe: false,
    backends: [],
    repoagents: [],
    caches: [],
    ...parts,
  };
}

const full = facts('tslim-fixture/tritonserver:24.09-py3', 10_000_000_000, ['l1', 'l2', 'l3', 'l4'], {
  backends: [
    c('onnxruntime', 1_500_000_000),
    c('python', 300_000_000),
    c('pytorch', 4_000_000_000),
    c('tensorrt', 2_000_000_000),
  ],
  repoagents: [c('checksum', 20_000)],
  caches: [c('local', 60_000), c('redis', 900_000)],
});
const slim = facts('registry.example/triton:slim|x', 3_900_000_000, ['l1', 'l2', 's3'], {
  backends: [c('onnxruntime', 1_500_000_000), c('python', 300_000_000)],
  caches: [c('local', 60_000)],
});
const min = {
  ref: 'tslim-fixture/tritonserver:24.09-py3-min',
  id: 'sha256:min',
  size: 2_000_000_000,
  layers: ['l1', 'l2'],
};

describe('buildSizeModel', () => {
  const report = buildSizeModel({ full, slim, min, compressed: { full: 4_000_000_000, slim: 1_500_000_000 } });

  it('computes saved bytes and percent, compressed too', () => {
    expect(report.saved).toEqual({
      bytes: 6_100_000_000,
      percent: 61,
      compressedBytes: 2_500_000_000,
      compressedPercent: 62.5,
    });
  });

  it('counts shared and new layers', () => {
    expect(report.layers).toEqual({ shared: 2, new: 1, total: 3 });
  });

  it('lists every component kept or dropped, largest first', () => {
    expect(report.components.map((r) => `${r.name}:${r.status}`)).toEqual([
      'pytorch:dropped',
      'tensorrt:dropped',
      'onnxruntime:kept',
      'python:kept',
      'redis:dropped',
      'local:kept',
      'checksum:dropped',
    ]);
    expect(report.payload).toEqual({ keptBytes: 1_800_060_000, droppedBytes: 6_000_920_000, kept: 3, dropped: 4 });
  });

  it('computes the ideal size from min + kept payload', () => {
    expect(report.ideal).toEqual({ bytes: 3_800_060_000, overheadBytes: 99_940_000, percentOfSlim: 97.44 });
  });

  it('marks a component only the slim image has as added, and works without min', () => {
    const extra = buildSizeModel({ full, slim: { ...slim, backends: [...slim.backends, c('custom', 5)] } });
    expect(extra.components.find((r) => r.name === 'custom')?.status).toBe('added');
    expect(extra.ideal).toBeUndefined();
    expect(extra.saved.compressedBytes).toBeUndefined();
  });
});

describe('thresholds', () => {
  const report = buildSizeModel({ full, slim });
  it('passes and fails as the numbers say', () => {
    expect(checkThresholds(report, parseThresholds({ maxSize: '8GB', minSaved: '30%' })).map((t) => t.ok)).toEqual([
      true,
      true,
    ]);
    expect(checkThresholds(report, parseThresholds({ maxSize: '3.5GB', minSaved: '70%' })).map((t) => t.ok)).toEqual([
      false,
      false,
    ]);
    expect(checkThresholds(report, parseThresholds({ minSaved: '6GB' }))).toEqual([
      { name: 'min-saved', limit: '6.0 GB', actual: '6.1 GB', ok: true },
    ]);
  });
  it('rejects malformed limits as usage errors', () => {
    expect(() => parseThresholds({ maxSize: 'big' })).toThrow(/--max-size 'big'/);
    expect(() => parseThresholds({ minSaved: '130%' })).toThrow(/over 100%/);
  });
});

describe('formatters', () => {
  const report = buildSizeModel({ full, slim, min, compressed: { full: 4_000_000_000, slim: 1_500_000_000 } });
  const thresholds = checkThresholds(report, parseThresholds({ maxSize: '3GB', minSaved: '30%' }));

  it('table: summary and one aligned row per component', () => {
    const text = formatTable(report, thresholds);
    expect(text).toContain('saved       6.1 GB (61.0 %); compressed 2.5 GB (62.5 %)');
    expect(text).toContain('3 in slim: 2 shared with full, 1 new');
    expect(text).toMatch(/^backend\s+pytorch\s+4\.0 GB\s+dropped$/m);
    expect(text).toMatch(/^cache\s+local\s+60\.0 kB\s+kept$/m);
    expect(text).toContain('FAIL  max-size: 3.9 GB (limit 3.0 GB)');
    expect(text).toContain('ok    min-saved: 61% (limit 30%)');
  });

  it('json: matches the published schema, integers for bytes', () => {
    const value = JSON.parse(JSON.stringify(formatJson(report, thresholds))) as Record<string, unknown>;
    expect(validate(value, REPORT_JSON_SCHEMA as unknown as Record<string, unknown>)).toEqual([]);
    expect(value.ok).toBe(false);
    // the validator itself can fail
    expect(
      validate(
        { ...value, report: { ...(value.report as object), layers: { shared: -1 } } },
        REPORT_JSON_SCHEMA as unknown as Record<string, unknown>,
      ).length,
    ).toBeGreaterThan(0);
  });

  it('markdown: a well-formed table, pipes in names escaped', () => {
    const md = formatMarkdown(report, thresholds);
    const table = md.split('\n').filter((l) => l.startsWith('| kind') || /^\| (backend|repoagent|cache) \|/.test(l));
    expect(table).toHaveLength(1 + report.components.length);
    for (const line of table) expect(line.split(/(?<!\\)\|/).length).toBe(6);
    expect(md).toContain('`registry.example/triton:slim\\|x`');
    expect(md).toContain('❌ max-size');
    expect(md).toMatch(/^### tslim size report: 61\.0 % smaller$/m);
  });

  it('html: one inline SVG with a bar per image and component, escaped text', () => {
    const html = formatHtml(report, thresholds);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const svg = /<svg [^>]*>[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg.match(/<rect /g)).toHaveLength(4 + report.components.length);
    expect(svg).toMatch(
      /class="bar dropped"><text x="0" y="\d+">backend pytorch<\/text><rect x="220" y="\d+" width="440"/,
    );
    expect(html).toContain('registry.example/triton:slim|x');
    expect(html).not.toMatch(/<script/i);
  });
});

describe('trim section', () => {
  const label = (extra: Record<string, unknown>) =>
    JSON.stringify({ from: 'sha256:untrimmed', removedBytes: 900, byCategory: { 'static-archive': 900 }, ...extra });
  const trimmed = (extra: Record<string, unknown>) => ({
    ...slim,
    layers: ['l1', 'r2', 's3'],
    labels: { 'dev.tslim.trim': label(extra) },
  });

  it('counts the layers shared with min and the bytes a node holding min pulls', () => {
    const report = buildSizeModel({ full, slim: trimmed({ layerBytes: [1000, 700, 50] }), min });
    expect(report.trim).toEqual({
      from: 'sha256:untrimmed',
      removedBytes: 900,
      byCategory: { 'static-archive': 900 },
      layers: { total: 3, sharedWithMin: 1, pullBytes: 750 },
    });
    expect(formatTable(report, [])).toMatch(/trim layers\s+1 of 3 shared with min; a node holding min pulls 750 B/);
    const json = formatJson(report, []);
    expect(validate(json, REPORT_JSON_SCHEMA as unknown as Record<string, unknown>)).toEqual([]);
  });

  it('says nothing of layers without min, or for a label of a flat trim (no layer bytes)', () => {
    expect(buildSizeModel({ full, slim: trimmed({ layerBytes: [1, 2, 3] }) }).trim?.layers).toBeUndefined();
    expect(buildSizeModel({ full, slim: trimmed({}), min }).trim?.layers).toBeUndefined();
    expect(buildSizeModel({ full, slim: trimmed({ layerBytes: [1, 2] }), min }).trim?.layers).toBeUndefined();
  });
});
