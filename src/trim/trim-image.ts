import { TslimError } from '../core/errors.js';
import { IMAGE_LABELS } from '../core/labels.js';
import { DLOPEN_TABLE } from '../catalog/dlopen.js';
import { withScratchContainer } from '../docker/archive.js';
import type { Engine } from '../docker/engine.js';
import { inspectImageRaw, removeImage, type RawImage } from '../docker/images.js';
import { configDifferences } from './config-changes.js';
import { keepMatcher } from './glob.js';
import { readImageTree } from './image-tree.js';
import { ldSoConfDirs } from './ld-search.js';
import { planTrim, type TrimPlan } from './trim-plan.js';
import { epochTime } from './trimmed-config.js';
import { writeTrimmed, type TrimmedLayer } from './write-trimmed.js';

/** Label on a trimmed image: what it was trimmed from and how much went (tslim report reads it). */
export const TRIM_LABEL = IMAGE_LABELS.trim;

export interface TrimOptions {
  engine: Engine;
  runId: string;
  signal?: AbortSignal;
  keep: readonly string[];
  /** File-name globs whose dlopen entries are ignored (test-only: TSLIM_TRIM_IGNORE_DLOPEN). */
  ignoreDlopen: readonly string[];
  /** --trim=report: analyse only, write nothing. */
  reportOnly: boolean;
  /** SOURCE_DATE_EPOCH: the trimmed image's `created`; else the untrimmed image's. */
  sourceDateEpoch?: string | undefined;
  onStep?: (text: string) => void;
}

export interface TrimOutcome {
  plan: TrimPlan;
  untrimmed: { id: string; bytes: number };
  /** existed: an earlier run of the same image and plan made this very image (same id). */
  trimmed?: { id: string; bytes: number; existed: boolean };
  /** The untrimmed image's layers, each kept as it is or rewritten without the removed entries. */
  layers?: TrimmedLayer[];
  analysis: { ms: number; streamedBytes: number; files: number; reread: number };
  buildMs?: number;
  /** The -min base the image was built on (when it names it and the engine has it): its layer count. */
  base?: { min: string; layers: number };
}

function listLabel(value: string | undefined): string[] {
  return (value ?? '').split(',').filter(Boolean);
}

/**
 * tslim compose --trim: analyse the built image's merged filesystem (a created container's export),
 * plan what goes, then write the trimmed image layer by layer (write-trimmed.ts).
 */
export async function trimImage(image: string, options: TrimOptions): Promise<TrimOutcome> {
  const { engine, signal } = options;
  const raw = await inspectImageRaw(engine, image, signal);
  if (!raw?.Config) throw new TslimError('IMAGE_NOT_FOUND', `image ${image} not found for --trim`);
  const config = raw.Config;
  const labels = config.Labels ?? {};
  const backends = listLabel(labels[IMAGE_LABELS.backends]);
  const triton = labels[IMAGE_LABELS.tritonVersion] ?? '0.0.0';
  const ldLibraryPath = (config.Env ?? [])
    .find((e) => e.startsWith('LD_LIBRARY_PATH='))
    ?.slice('LD_LIBRARY_PATH='.length)
    .split(':')
    .filter((d) => d.startsWith('/'));
  const keep = keepMatcher(options.keep);
  const outcome = await withScratchContainer(
    engine,
    image,
    options.runId,
    async (container) => {
      const started = performance.now();
      options.onStep?.(`trim: reading the filesystem of ${image}`);
      const read = await readImageTree(container, {
        ...(signal ? { signal } : {}),
        onProgress: (bytes, files) => options.onStep?.(`trim: read ${(bytes / 1e9).toFixed(2)} GB, ${files} files`),
      });
      const { tree, texts } = read;
      const plan = planTrim(tree, {
        backends,
        triton,
        ignore: options.ignoreDlopen,
        python: backends.includes('python'),
        keep,
        env: {
          ldLibraryPath: ldLibraryPath ?? [],
          cacheDirs: ldSoConfDirs(tree, (p) => texts.get(tree.resolve(p)?.path ?? p)),
        },
        table: DLOPEN_TABLE,
      });
      const outcome: TrimOutcome = {
        plan,
        untrimmed: { id: raw.Id, bytes: raw.Size },
        analysis: {
          ms: Math.round(performance.now() - started),
          streamedBytes: read.stats.bytes,
          files: read.stats.files,
          reread: read.stats.reread,
        },
      };
      return outcome;
    },
    signal,
  );
  if (options.reportOnly) return outcome;
  await writeOutcome(raw, outcome, options);
  const min = await minImage(engine, raw);
  if (min)
    outcome.base = {
      min: min.ref,
      layers: baseLayerCount(
        (outcome.layers ?? []).map((l) => l.from),
        min.diffIds,
      ),
    };
  return outcome;
}

/** The -min image the compose built on (its label), when the engine has it: the report counts its layers. */
async function minImage(
  engine: Engine,
  raw: RawImage,
): Promise<{ ref: string; diffIds: readonly string[] } | undefined> {
  const ref = raw.Config?.Labels?.[IMAGE_LABELS.sourceMin];
  const base = ref ? await inspectImageRaw(engine, ref) : undefined;
  return ref && base ? { ref, diffIds: base.RootFS?.Layers ?? [] } : undefined;
}

/** How many bottom layers an image shares with its base, in order (the same diff ids). */
function baseLayerCount(diffIds: readonly string[], base: readonly string[]): number {
  let n = 0;
  while (n < diffIds.length && n < base.length && diffIds[n] === base[n]) n++;
  return n;
}

/** Writes the trimmed image, layer by layer, and checks its config against the untrimmed one's. */
async function writeOutcome(raw: RawImage, outcome: TrimOutcome, options: TrimOptions): Promise<void> {
  const { engine, signal, onStep } = options;
  const { plan } = outcome;
  const started = performance.now();
  onStep?.(`trim: writing the trimmed image (${plan.remove.size} paths go)`);
  const summary = (layers: readonly TrimmedLayer[]): string =>
    JSON.stringify({
      from: raw.Id,
      removedBytes: plan.removedBytes,
      byCategory: Object.fromEntries(Object.entries(plan.byCategory).map(([k, v]) => [k, v.bytes])),
      // each layer's tar bytes: tslim report sums those a node holding the min image lacks
      layerBytes: layers.map((l) => l.bytes),
    });
  const written = await writeTrimmed(engine, raw.Id, plan.remove, {
    signal,
    labels: (layers) => ({ [TRIM_LABEL]: summary(layers) }),
    sourceDateEpoch: options.sourceDateEpoch,
    ...(onStep ? { onStep } : {}),
  });
  const made = await inspectImageRaw(engine, written.id);
  const differ = made?.Config ? configDifferences(raw.Config, made.Config, [TRIM_LABEL]) : ['Config'];
  const layers = written.layers.map((l) => l.diffId);
  if (made && JSON.stringify(made.RootFS?.Layers ?? []) !== JSON.stringify(layers)) differ.push('RootFS.Layers');
  if (made && made.Created !== expectedCreated(raw, options.sourceDateEpoch)) differ.push('Created');
  if (signal?.aborted || differ.length > 0) {
    if (!written.existed) await removeImage(engine, written.id, { force: true }).catch(() => undefined);
    if (signal?.aborted) throw new TslimError('ABORTED', 'interrupted');
    throw new TslimError('INTERNAL', `the trimmed image's config differs from ${raw.Id} in ${differ.join(', ')}`, {
      hint: 'this is a tslim bug: please report it with the output of docker inspect of both images',
    });
  }
  outcome.trimmed = { id: written.id, bytes: made?.Size ?? 0, existed: written.existed };
  outcome.layers = written.layers;
  outcome.buildMs = Math.round(performance.now() - started);
}

/** The engines report `created` as the config has it, with sub-second digits as written. */
function expectedCreated(raw: RawImage, epoch: string | undefined): string {
  return epoch !== undefined ? epochTime(epoch) : raw.Created;
}
