import { open, realpath } from 'node:fs/promises';
import type { RawImage } from './images.js';
import { resolve } from './layer-store.js';
import { openOverlayStore, unreadable } from './overlay-store.js';
import { readLayerTarSplit } from './layer-tar-split.js';
import { LayerTree } from './layer-tree.js';

/**
 * Every entry of an image, read from the engine's layer store on this host with no container: each
 * layer's tar-split record (layerdb/sha256/CHAIN/tar-split.json.gz) gives the entries, the layer's
 * unpacked files (overlay2/CACHE-ID/diff) the bytes. The SBOM needs the whole tree (dist-info
 * directories may sit anywhere), so unlike openLayerStore (layer-store.ts), which wants a few paths
 * and probes the rest, every record is read. Same conditions: overlay2, read access to the data root.
 */
export interface WholeLayerStore {
  tree: LayerTree;
  /** Bytes [offset, offset+length) of a regular file (links in the tree followed); undefined when absent. */
  read(path: string, offset: number, length: number): Promise<Buffer | undefined>;
}

export async function openWholeLayerStore(
  raw: RawImage,
  signal?: AbortSignal,
): Promise<{ store: WholeLayerStore } | { unusable: string }> {
  if (process.env.TSLIM_LAYER_STORE === '0') return { unusable: 'TSLIM_LAYER_STORE=0' };
  const overlay = await openOverlayStore(raw);
  if ('unusable' in overlay) return overlay;
  const { root, layerdb, chains } = overlay;
  let cacheIds: string[];
  try {
    cacheIds = await Promise.all(chains.map((_, layer) => overlay.cacheId(layer)));
  } catch (cause) {
    return { unusable: unreadable(root, cause) };
  }
  const tree = new LayerTree();
  try {
    const layers = await Promise.all(
      chains.map((chain) => readLayerTarSplit(`${layerdb}/${chain}/tar-split.json.gz`, () => true, signal)),
    );
    layers.forEach((entries, layer) => tree.add(layer, entries));
  } catch (cause) {
    signal?.throwIfAborted();
    return { unusable: `cannot read a layer's tar-split record (${(cause as Error).message})` };
  }
  return {
    store: {
      tree,
      read: async (path, offset, length) => {
        const found = resolve(tree, path);
        if (!found) return undefined;
        return readRange(`${root}/overlay2/${cacheIds[found.entry.layer] ?? ''}/diff`, found.path, offset, length);
      },
    },
  };
}

/** Reads a range of dir/path, refusing a path that leaves dir through a host symlink. */
async function readRange(dir: string, path: string, offset: number, length: number): Promise<Buffer | undefined> {
  const real = await realpath(`${dir}/${path}`).catch(() => undefined);
  const base = await realpath(dir);
  if (!real?.startsWith(`${base}/`)) return undefined;
  const handle = await open(real, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
