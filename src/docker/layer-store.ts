import { open, realpath, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { RawImage } from './images.js';
import type { LayerProbe, WantedPaths } from './layer-probe.js';
import { opaqueOf, probe, readLayer } from './layer-reads.js';
import type { LayerEntry } from './layer-tar-split.js';
import { LayerTree, type TreeEntry } from './layer-tree.js';
import { openOverlayStore } from './overlay-store.js';

/**
 * An image's files read straight from the engine's layer store on this host, with no container:
 * Docker's overlay2 store keeps each layer's tar headers (layerdb/sha256/CHAIN/tar-split.json.gz)
 * and its files (overlay2/CACHE-ID/diff). A layer that holds the wanted subtree is read from its
 * record (every entry, sizes, hard links); any other from its files, a few lstats (layer-probe.ts),
 * which spares gunzipping a base layer's record of tens of MB to find it holds nothing wanted.
 * Usable when tslim runs on the engine's host with read access to its data root (root, as on CI
 * runners and build hosts); `unusable` says why not otherwise (another driver, the containerd
 * image store, a remote or rootless engine, no access), and the caller falls back to a container. Layers are content-addressed (chain ids), so what is
 * read is the image's own content whichever engine the store belongs to.
 */
export interface LayerStore {
  tree: LayerTree;
  /** A small regular file's text (symlinks in the tree followed); undefined when there is none. */
  readText(path: string, maxBytes?: number): Promise<string | undefined>;
  /** How many of the image's layers were read from their tar-split records (the rest: from their files). */
  records: { read: number; layers: number };
}

export type LayerStoreResult = { store: LayerStore } | { unusable: string };

export async function openLayerStore(
  raw: RawImage,
  wanted: WantedPaths,
  signal?: AbortSignal,
  /**
   * Unusable when the records to read (gzipped) are larger than this, not counting those of layers
   * that hold nothing but the subtree: a container is faster then.
   */
  maxRecordBytes?: number,
): Promise<LayerStoreResult> {
  const overlay = await openOverlayStore(raw);
  if ('unusable' in overlay) return overlay;
  const { root, layerdb, chains, cacheId } = overlay;
  let diffs: string[];
  let probes: LayerProbe[];
  try {
    diffs = (await Promise.all(chains.map((_, layer) => cacheId(layer)))).map((id) => `${id}/diff`);
    probes = await Promise.all(diffs.map((diff) => probe(`${root}/overlay2/${diff}`, wanted)));
  } catch (cause) {
    return { unusable: `cannot read a layer's files (${(cause as Error).message})` };
  }
  const opaque = await opaqueOf(`${root}/overlay2`, diffs, probes, wanted, signal);
  // a layer is read from its record when it holds the subtree, or when its directories' opacity is unknown
  const fromRecord = probes.map((p, layer) => p.subtree || (!opaque[layer] && p.dirs.length > 0));
  const records = chains.map((chain) => `${layerdb}/${chain}/tar-split.json.gz`);
  if (maxRecordBytes !== undefined) {
    const sizes = await Promise.all(
      // a record of the subtree alone costs what a container's walk of the same entries costs
      records.map((file, layer) =>
        fromRecord[layer] && !isPure(probes[layer])
          ? stat(file).then(
              (s) => s.size,
              () => 0,
            )
          : Promise.resolve(0),
      ),
    );
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total > maxRecordBytes) {
      const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
      return {
        unusable: `its layers' records are ${mb(total)} gzipped, over ${mb(maxRecordBytes)}: a container is faster`,
      };
    }
  }
  const tree = new LayerTree();
  try {
    const layers = await Promise.all(
      chains.map((chain, layer) => {
        const p = probes[layer];
        if (fromRecord[layer] || !p || p.subtree) return readLayer(`${layerdb}/${chain}`, wanted, signal);
        const markers = [...(opaque[layer] ?? [])].map((path): LayerEntry => ({ path, type: 'opaque', size: 0 }));
        return Promise.resolve([...markers, ...p.entries]);
      }),
    );
    layers.forEach((entries, layer) => tree.add(layer, entries));
  } catch (cause) {
    signal?.throwIfAborted();
    return { unusable: `cannot read a layer's tar-split record (${(cause as Error).message})` };
  }
  return {
    store: {
      tree,
      records: { read: fromRecord.filter(Boolean).length, layers: chains.length },
      readText: async (path, maxBytes = 64 * 1024) => {
        const found = resolve(tree, path);
        if (!found) return undefined;
        const dir = `${root}/overlay2/${await cacheId(found.entry.layer)}/diff`;
        return readSmall(dir, found.path, maxBytes);
      },
    },
  };
}

function isPure(probe: LayerProbe | undefined): boolean {
  return probe?.subtree === true && !probe.mixed;
}

/**
 * Follows symlinks (and hard links, to the file they share) inside the tree to a regular file.
 * Throws when a link leads where the tree holds nothing: the tree has only the wanted paths, so
 * that is not proof the target is missing.
 */
export function resolve(tree: LayerTree, start: string): { path: string; entry: TreeEntry } | undefined {
  let path = start.replace(/^\/+/, '');
  for (let hops = 0; hops < 16; hops += 1) {
    const entry = tree.get(path);
    if (!entry && hops > 0) throw new Error(`${start} links to ${path}, which this view does not hold`);
    if (!entry) return undefined;
    if (entry.type === 'file') return { path, entry };
    if (entry.type === 'link' && entry.linkname) return { path: entry.linkname, entry };
    if (entry.type !== 'symlink' || !entry.linkname) throw new Error(`${start} is not a regular file`);
    const target = entry.linkname.startsWith('/')
      ? entry.linkname
      : posix.join(posix.dirname(`/${path}`), entry.linkname);
    path = posix.normalize(target).replace(/^\/+/, '');
  }
  throw new Error(`${start}: too many levels of symbolic links`);
}

/** Reads at most maxBytes of dir/path, refusing a path that leaves dir through a host symlink. */
async function readSmall(dir: string, path: string, maxBytes: number): Promise<string | undefined> {
  const real = await realpath(`${dir}/${path}`).catch(() => undefined);
  const base = await realpath(dir);
  if (!real?.startsWith(`${base}/`)) return undefined;
  const handle = await open(real, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }
}
