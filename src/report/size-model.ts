import { IMAGE_LABELS } from '../core/labels.js';
import type { ComponentKind, ImageFacts } from '../inspect/facts.js';
import { compareText } from '../core/compare.js';
import type { PackageDiff } from './package-diff.js';

/** Schema id of the JSON report (docs/report.md); bump on a breaking change. */
export const REPORT_SCHEMA = 'tslim.report/v1';

export interface ImageSizes {
  ref: string;
  id: string;
  /** Uncompressed, as the engine reports it. */
  bytes: number;
  /** Sum of the manifest's layer sizes in a registry, when known. */
  compressedBytes?: number;
  layers: number;
}

export type ComponentStatus = 'kept' | 'dropped' | 'added';

export interface ComponentRow {
  kind: ComponentKind;
  name: string;
  /** From inspecting the full image (the slim image for an added one). */
  bytes: number;
  status: ComponentStatus;
}

export interface SizeReport {
  schema: typeof REPORT_SCHEMA;
  full: ImageSizes;
  slim: ImageSizes;
  min?: ImageSizes;
  saved: { bytes: number; percent: number; compressedBytes?: number; compressedPercent?: number };
  layers: { shared: number; new: number; total: number };
  /** Every backend, repoagent and cache of either image, largest first. */
  components: ComponentRow[];
  payload: { keptBytes: number; droppedBytes: number; kept: number; dropped: number };
  /** The slim image was made by compose --trim: what it was trimmed from and what went (its label). */
  trim?: TrimFacts;
  /** min image + kept payload: what a perfect slim image would weigh. */
  ideal?: { bytes: number; overheadBytes: number; percentOfSlim: number };
  /** Packages removed and added from full to slim (and to trimmed), from the images' SBOMs. */
  packages?: PackageDiff[];
}

export interface TrimFacts {
  from: string;
  removedBytes: number;
  byCategory: Record<string, number>;
  /**
   * With the min image known and a trim label that lists its layers' bytes (tslim 0.1 trims written
   * layer by layer): the slim image's layers that the min image has too (same diff id, so the same
   * blob in a registry), and the bytes of the others: what a node that holds the min image pulls
   * (uncompressed layer tars; a registry stores them gzipped).
   */
  layers?: { total: number; sharedWithMin: number; pullBytes: number };
}

export interface ReportInputs {
  full: ImageFacts;
  slim: ImageFacts;
  min?: Pick<ImageFacts, 'ref' | 'id' | 'size' | 'layers'>;
  compressed?: { full?: number; slim?: number; min?: number };
  packages?: PackageDiff[];
}

const KINDS: readonly ComponentKind[] = ['backends', 'repoagents', 'caches'];

/** Plain data from two (or three) inspected images; no engine, no formatting. */
export function buildSizeModel(inputs: ReportInputs): SizeReport {
  const { full, slim, min, compressed = {} } = inputs;
  const components: ComponentRow[] = [];
  for (const kind of KINDS) {
    const inSlim = new Map(slim[kind].map((c) => [c.name, c]));
    const inFull = new Set(full[kind].map((c) => c.name));
    for (const c of full[kind]) {
      components.push({ kind, name: c.name, bytes: c.bytes, status: inSlim.has(c.name) ? 'kept' : 'dropped' });
    }
    for (const c of slim[kind])
      if (!inFull.has(c.name)) components.push({ kind, name: c.name, bytes: c.bytes, status: 'added' });
  }
  components.sort((a, b) => b.bytes - a.bytes || compareText(a.kind, b.kind) || compareText(a.name, b.name));

  let keptBytes = 0;
  let droppedBytes = 0;
  let kept = 0;
  let dropped = 0;
  for (const row of components) {
    if (row.status === 'dropped') {
      droppedBytes += row.bytes;
      dropped += 1;
    } else {
      keptBytes += row.bytes;
      kept += 1;
    }
  }

  const fullLayers = new Set(full.layers);
  const shared = slim.layers.filter((l) => fullLayers.has(l)).length;
  const savedBytes = full.size - slim.size;
  const cFull = compressed.full;
  const cSlim = compressed.slim;
  const report: SizeReport = {
    schema: REPORT_SCHEMA,
    full: sizes(full, cFull),
    slim: sizes(slim, cSlim),
    saved: {
      bytes: savedBytes,
      percent: percent(savedBytes, full.size),
      ...(cFull !== undefined && cSlim !== undefined
        ? { compressedBytes: cFull - cSlim, compressedPercent: percent(cFull - cSlim, cFull) }
        : {}),
    },
    layers: { shared, new: slim.layers.length - shared, total: slim.layers.length },
    components,
    payload: { keptBytes, droppedBytes, kept, dropped },
  };
  const trim = trimLabel(slim.labels[IMAGE_LABELS.trim]);
  if (trim) {
    const { layerBytes, ...facts } = trim;
    report.trim = facts;
    if (min && layerBytes?.length === slim.layers.length)
      report.trim.layers = pullFromMin(slim.layers, min.layers, layerBytes);
  }
  if (inputs.packages) report.packages = inputs.packages;
  if (min) {
    report.min = sizes(min, compressed.min);
    const ideal = min.size + keptBytes;
    report.ideal = { bytes: ideal, overheadBytes: slim.size - ideal, percentOfSlim: percent(ideal, slim.size) };
  }
  return report;
}

/** The slim image's layers the min image has (by diff id), and the bytes of those it lacks. */
function pullFromMin(layers: readonly string[], minLayers: readonly string[], bytes: readonly number[]) {
  const inMin = new Set(minLayers);
  let sharedWithMin = 0;
  let pullBytes = 0;
  layers.forEach((layer, i) => {
    if (inMin.has(layer)) sharedWithMin++;
    else pullBytes += bytes[i] ?? 0;
  });
  return { total: layers.length, sharedWithMin, pullBytes };
}

function trimLabel(text: string | undefined): (TrimFacts & { layerBytes?: number[] }) | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as {
      from?: unknown;
      removedBytes?: unknown;
      byCategory?: unknown;
      layerBytes?: unknown;
    };
    if (typeof v.from !== 'string' || typeof v.removedBytes !== 'number') return undefined;
    const byCategory: Record<string, number> = {};
    if (v.byCategory && typeof v.byCategory === 'object')
      for (const [k, n] of Object.entries(v.byCategory)) if (typeof n === 'number') byCategory[k] = n;
    const layerBytes =
      Array.isArray(v.layerBytes) && v.layerBytes.every((n) => typeof n === 'number') ? v.layerBytes : undefined;
    return { from: v.from, removedBytes: v.removedBytes, byCategory, ...(layerBytes ? { layerBytes } : {}) };
  } catch {
    return undefined;
  }
}

function sizes(
  facts: Pick<ImageFacts, 'ref' | 'id' | 'size' | 'layers'>,
  compressedBytes: number | undefined,
): ImageSizes {
  return {
    ref: facts.ref,
    id: facts.id,
    bytes: facts.size,
    ...(compressedBytes === undefined ? {} : { compressedBytes }),
    layers: facts.layers.length,
  };
}

/** Percent with two decimals; 0 when the whole is 0. */
export function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100;
}
