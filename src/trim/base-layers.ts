import { createReadStream, createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { digestTap, type SpooledLayer } from '../docker/image-save.js';
import { LayerFilter, type LayerFilterStats } from './layer-filter.js';

/**
 * `--trim-base keep`: the -min base's layers stay as they are, so a node that holds -min pulls only
 * the compose layers. A path the trim would remove that a base layer holds is then not removed at
 * all (left out of a compose layer only, the base's older copy would show again). The base layers
 * are those the image shares with -min, in order from the bottom (same diff ids).
 */
export function baseLayerCount(diffIds: readonly string[], base: readonly string[]): number {
  let n = 0;
  while (n < diffIds.length && n < base.length && diffIds[n] === base[n]) n++;
  return n;
}

/** What a layer holds of the paths the first plan removes (its first pass drops nothing). */
export interface LayerMatches {
  /** Files, hard links and symlinks at removed paths. */
  paths: string[];
  /** Directories at removed paths (the hidden-directory check). */
  dirs: string[];
}

/**
 * The second pass over a spooled layer: filters it with the final removal into a new file, which
 * replaces the first; returns the layer as written and what was dropped.
 */
export async function refilterLayer(
  layer: SpooledLayer,
  drop: (path: string) => boolean,
  signal?: AbortSignal,
): Promise<{ layer: SpooledLayer; stats: LayerFilterStats }> {
  const filter = new LayerFilter((entry) => entry.flag !== '5' && drop(entry.path));
  const tap = digestTap();
  const next = `${layer.file}.trimmed`;
  await pipeline(createReadStream(layer.file), filter, tap, createWriteStream(next), signal ? { signal } : {});
  await rename(next, layer.file);
  return { layer: { ...layer, bytes: tap.bytes(), diffId: tap.digest() }, stats: filter.stats };
}
