import type { Engine } from '../docker/engine.js';
import { IMAGE_LABELS } from '../core/labels.js';
import { inspectImage } from '../inspect/inspect-image.js';
import type { ImageFacts } from '../inspect/facts.js';
import type { FactsCache } from '../inspect/facts-cache.js';
import { buildSizeModel, type SizeReport } from './size-model.js';
import { inspectImageRaw } from '../docker/images.js';
import { readInventory } from '../sbom/read-inventory.js';
import { diffPackages, type PackageDiff } from './package-diff.js';

/** Label a composed image may carry naming the min image it was built on (used for the ideal size). */
export const MIN_IMAGE_LABEL = IMAGE_LABELS.sourceMin;

export interface BuildReportRequest {
  full: string;
  slim: string;
  /** The min image; default: the slim image's dev.tslim.source.min label, else no ideal size. */
  min?: string;
  /** Compressed sizes already known (e.g. from the push that just happened). */
  compressed?: { full?: number; slim?: number };
  /** Read both images' packages and diff them (default true). */
  packages?: boolean;
}

export interface BuildReportDeps {
  engine: Engine;
  signal?: AbortSignal;
  runId?: string;
  /** Asks a registry for a reference's compressed size; left out, sizes stay uncompressed only. */
  compressedSize?: (ref: string) => Promise<number | undefined>;
  onStep?: (text: string) => void;
  /** Facts read from image files by earlier runs (inspect/facts-cache.ts). */
  cache?: FactsCache | undefined;
}

/** Inspects both images (payload measured) and builds the size model. */
export async function buildReport(request: BuildReportRequest, deps: BuildReportDeps): Promise<SizeReport> {
  const common = {
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.runId ? { runId: deps.runId } : {}),
    ...(deps.cache ? { cache: deps.cache } : {}),
  };
  deps.onStep?.(`inspecting ${request.full}`);
  const full = await inspectImage(deps.engine, request.full, { ...common, role: 'full' });
  deps.onStep?.(`inspecting ${request.slim}`);
  const slim = await inspectImage(deps.engine, request.slim, common);
  const minRef = request.min ?? slim.labels[MIN_IMAGE_LABEL];
  let min: Pick<ImageFacts, 'ref' | 'id' | 'size' | 'layers'> | undefined;
  if (minRef) {
    deps.onStep?.(`inspecting ${minRef}`);
    min = await inspectImage(deps.engine, minRef, { ...common, payload: false });
  }
  const compressed = { ...request.compressed };
  if (deps.compressedSize) {
    deps.onStep?.('reading compressed sizes from the registry');
    compressed.full ??= await deps.compressedSize(request.full);
    compressed.slim ??= await deps.compressedSize(request.slim);
  }
  const packages = request.packages === false ? undefined : await packageDiffs(request, deps);
  return buildSizeModel({
    full,
    slim,
    ...(min ? { min } : {}),
    compressed: dropUndefined(compressed),
    ...(packages ? { packages } : {}),
  });
}

/**
 * Full -> slim, from the images' SBOMs. A trimmed slim image gives two steps: full -> the image it
 * was trimmed from (while the engine has it) and full -> trimmed, whose partial packages are the trim's.
 */
async function packageDiffs(request: BuildReportRequest, deps: BuildReportDeps): Promise<PackageDiff[]> {
  const options = { ...(deps.signal ? { signal: deps.signal } : {}), ...(deps.runId ? { runId: deps.runId } : {}) };
  deps.onStep?.('reading the packages of both images');
  const full = await readInventory(deps.engine, request.full, options);
  const slim = await readInventory(deps.engine, request.slim, options);
  const from = slim.image.trim?.from;
  if (!from) return [diffPackages(full, slim, 'slim')];
  const untrimmed = (await inspectImageRaw(deps.engine, from, deps.signal))
    ? await readInventory(deps.engine, from, options)
    : undefined;
  return [...(untrimmed ? [diffPackages(full, untrimmed, 'slim')] : []), diffPackages(full, slim, 'trimmed')];
}

function dropUndefined(value: { full?: number | undefined; slim?: number | undefined }): {
  full?: number;
  slim?: number;
} {
  return {
    ...(value.full === undefined ? {} : { full: value.full }),
    ...(value.slim === undefined ? {} : { slim: value.slim }),
  };
}
