import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TslimError } from '../core/errors.js';
import type { Engine } from '../docker/engine.js';
import { configId, loadImage } from '../docker/image-load.js';
import { spoolImage } from '../docker/image-save.js';
import { inspectImageRaw, removeImage } from '../docker/images.js';
import { LayerFilter, type LayerFilterStats } from './layer-filter.js';
import { trimmedConfig } from './trimmed-config.js';

/** What became of one layer of the untrimmed image. */
export interface TrimmedLayer {
  /** The untrimmed layer's diff id, and the written one's (the same when the layer lost nothing). */
  from: string;
  diffId: string;
  /** Uncompressed tar bytes written. */
  bytes: number;
  droppedEntries: number;
  droppedBytes: number;
}

export interface WriteOptions {
  signal?: AbortSignal | undefined;
  /** Labels to add, from the written layers (the trim label lists their bytes). */
  labels: (layers: readonly TrimmedLayer[]) => Record<string, string>;
  sourceDateEpoch?: string | undefined;
  onStep?: (text: string) => void;
}

export interface Written {
  id: string;
  layers: TrimmedLayer[];
  /** The image was there before this run (an earlier trim of the same image and plan): not ours to remove. */
  existed: boolean;
}

/**
 * Writes the trimmed image layer by layer: the untrimmed image is saved through the Engine API and
 * each layer goes through a LayerFilter that leaves out the removed paths' entries (a layer that
 * loses nothing comes out byte for byte, with its digest); the layers are spooled to a temp dir
 * (a tar entry's size comes before its bytes, and a layer's new size is known only at its end) and
 * loaded (`POST /images/load`) with the source config, rootfs and history updated. Nothing from the
 * time of the run goes in, so the image id is the same for the same source and plan.
 */
export async function writeTrimmed(
  engine: Engine,
  image: string,
  remove: ReadonlySet<string> | ReadonlyMap<string, unknown>,
  options: WriteOptions,
): Promise<Written> {
  const { signal } = options;
  const dir = await mkdtemp(join(tmpdir(), 'tslim-trim-'));
  try {
    const filters = new Map<string, LayerFilter>();
    const dirsAt = new Map<string, string[]>();
    const spooled = await spoolImage(
      engine,
      image,
      dir,
      (name) => {
        const filter = new LayerFilter((entry) => {
          if (!remove.has(entry.path)) return false;
          // a directory where the merged view has a removed file is hidden by that file: kept, checked below
          if (entry.flag !== '5') return true;
          dirsAt.set(name, [...(dirsAt.get(name) ?? []), entry.path]);
          return false;
        });
        filters.set(name, filter);
        options.onStep?.(`trim: layer ${filters.size} of the saved image`);
        return filter;
      },
      signal,
    );
    const stats = spooled.layers.map((l) => filters.get(l.name)!.stats);
    checkHiddenDirectories(
      spooled.layers.map((l) => dirsAt.get(l.name) ?? []),
      stats,
    );
    const source = JSON.parse(spooled.config.toString('utf8')) as { rootfs?: { diff_ids?: string[] } };
    const before = source.rootfs?.diff_ids ?? [];
    const layers = spooled.layers.map((l, i): TrimmedLayer => {
      const s = stats[i]!;
      const from = before[i] ?? '';
      // a layer that lost nothing must come out as it went in: else the save is not the layer
      if (s.droppedEntries === 0 && l.diffId !== from)
        throw new TslimError('INTERNAL', `layer ${i + 1} of ${image} saved as ${l.diffId}, its config says ${from}`);
      return { from, diffId: l.diffId, bytes: l.bytes, droppedEntries: s.droppedEntries, droppedBytes: s.droppedBytes };
    });
    const rewritten = layers.flatMap((l, i) => (l.droppedEntries > 0 ? [i + 1] : []));
    const dropped = layers.reduce((n, l) => n + l.droppedEntries, 0);
    const config = trimmedConfig(spooled.config, {
      diffIds: layers.map((l) => l.diffId),
      labels: options.labels(layers),
      comment: `removed ${dropped} entries; layers rewritten: ${rewritten.join(', ') || 'none'}`,
      sourceDateEpoch: options.sourceDateEpoch,
    });
    const id = configId(config);
    if (signal?.aborted) throw new TslimError('ABORTED', 'interrupted');
    if (await inspectImageRaw(engine, id)) return { id, layers, existed: true };
    options.onStep?.(`trim: loading the trimmed image (${rewritten.length} of ${layers.length} layers rewritten)`);
    await loadCut(engine, id, config, spooled.layers, signal);
    return { id, layers, existed: false };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Loads; on Ctrl-C cuts the body, waits for the engine's answer and removes the image if it came. */
async function loadCut(
  engine: Engine,
  id: string,
  config: Buffer,
  layers: Parameters<typeof loadImage>[2],
  signal?: AbortSignal,
): Promise<void> {
  let cut: (() => void) | undefined;
  const onAbort = (): void => cut?.();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await loadImage(engine, config, layers, (c) => {
      cut = c;
      if (signal?.aborted) c();
    });
  } catch (error) {
    if (!signal?.aborted) throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) {
    await removeImage(engine, id, { force: true }).catch(() => undefined);
    throw new TslimError('ABORTED', 'interrupted');
  }
}

/**
 * A layer's directory at a path the merged view has as a removed file was hidden by the upper layer's
 * file; with that file left out it would show again. Rare enough to refuse rather than whiteout.
 */
function checkHiddenDirectories(dirs: readonly string[][], stats: readonly LayerFilterStats[]): void {
  dirs.forEach((paths, layer) => {
    for (const path of paths)
      if (stats.slice(layer + 1).some((s) => s.dropped.has(path)))
        throw new TslimError(
          'INTERNAL',
          `removing ${path} would uncover the directory it hides in layer ${layer + 1}`,
          {
            hint: `keep it with --keep '${path}'`,
          },
        );
  });
}
