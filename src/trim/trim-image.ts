import { TslimError } from '../core/errors.js';
import { IMAGE_LABELS } from '../core/labels.js';
import { DLOPEN_TABLE } from '../catalog/dlopen.js';
import { withScratchContainer } from '../docker/archive.js';
import type { Engine } from '../docker/engine.js';
import { exportFilesystem, importFilesystem } from '../docker/export-import.js';
import { inspectImageRaw, removeImage } from '../docker/images.js';
import { configChanges, configDifferences } from './config-changes.js';
import { keepMatcher } from './glob.js';
import { readImageTree } from './image-tree.js';
import { ldSoConfDirs } from './ld-search.js';
import { rewriteTar, type RewriteStats } from './rewrite.js';
import { planTrim, type TrimPlan } from './trim-plan.js';

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
  onStep?: (text: string) => void;
}

export interface TrimOutcome {
  plan: TrimPlan;
  untrimmed: { id: string; bytes: number };
  trimmed?: { id: string; bytes: number };
  analysis: { ms: number; streamedBytes: number; files: number; reread: number };
  buildMs?: number;
}

function listLabel(value: string | undefined): string[] {
  return (value ?? '').split(',').filter(Boolean);
}

/** tslim compose --trim: analyse the built image, then write the trimmed image as one fresh layer. */
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
  return withScratchContainer(
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
      if (options.reportOnly) return outcome;
      const buildStarted = performance.now();
      options.onStep?.(`trim: writing the trimmed image (${plan.remove.size} paths go)`);
      const stats: RewriteStats = { kept: 0, dropped: 0, keptBytes: 0, droppedBytes: 0 };
      const summary = JSON.stringify({
        from: raw.Id,
        removedBytes: plan.removedBytes,
        byCategory: Object.fromEntries(Object.entries(plan.byCategory).map(([k, v]) => [k, v.bytes])),
      });
      // /.dockerenv is the engine's marker of a container, made when the scratch container was: not the image's
      const body = rewriteTar(
        await exportFilesystem(container),
        (p) => plan.remove.has(p) || p === '/.dockerenv',
        stats,
      );
      const onAbort = (): void => {
        body.destroy(new Error('interrupted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let id: string;
      try {
        id = await importFilesystem(engine, body, configChanges(config, { [TRIM_LABEL]: summary }));
      } catch (error) {
        if (signal?.aborted) throw new TslimError('ABORTED', 'interrupted', { cause: error });
        throw error;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      const made = await inspectImageRaw(engine, id);
      const differ = made?.Config ? configDifferences(config, made.Config, [TRIM_LABEL]) : ['Config'];
      if (signal?.aborted || differ.length > 0) {
        await removeImage(engine, id, { force: true }).catch(() => undefined);
        if (signal?.aborted) throw new TslimError('ABORTED', 'interrupted');
        throw new TslimError('INTERNAL', `the trimmed image's config differs from ${image} in ${differ.join(', ')}`, {
          hint: 'this is a tslim bug: please report it with the output of docker inspect of the image',
        });
      }
      outcome.trimmed = { id, bytes: made?.Size ?? stats.keptBytes };
      outcome.buildMs = Math.round(performance.now() - buildStarted);
      return outcome;
    },
    signal,
  );
}
