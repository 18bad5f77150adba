import { opaqueDirectories } from './layer-opaque.js';
import { probeLayer, wantedTest, type LayerProbe, type WantedPaths } from './layer-probe.js';
import { readLayerTarSplit, type LayerEntry } from './layer-tar-split.js';

/*
 * Each layer is read (its record, its files, its directories' opacity) once per process: the
 * images of one run (a full image and its min base) share most of their layers, the largest ones
 * included, and layers never change.
 */

/** A layer's wanted entries from its tar-split record. */
const layerReads = new WeakMap<WantedPaths, Map<string, Promise<LayerEntry[]>>>();

export function readLayer(dir: string, wanted: WantedPaths, signal?: AbortSignal): Promise<LayerEntry[]> {
  return once(layerReads, wanted, dir, () => readLayerTarSplit(`${dir}/tar-split.json.gz`, wantedTest(wanted), signal));
}

/** A layer's wanted entries from its files (layer-probe.ts). */
const layerProbes = new WeakMap<WantedPaths, Map<string, Promise<LayerProbe>>>();

export function probe(diff: string, wanted: WantedPaths): Promise<LayerProbe> {
  return once(layerProbes, wanted, diff, () => probeLayer(diff, wanted));
}

/** Each layer's opaque directories among those its probe found (paths in the image); undefined: unknown. */
const layerOpaque = new WeakMap<WantedPaths, Map<string, Promise<Set<string> | undefined>>>();

export async function opaqueOf(
  root: string,
  diffs: readonly string[],
  probes: readonly LayerProbe[],
  wanted: WantedPaths,
  signal?: AbortSignal,
): Promise<(Set<string> | undefined)[]> {
  const known = layerOpaque.get(wanted) ?? new Map<string, Promise<Set<string> | undefined>>();
  layerOpaque.set(wanted, known);
  // one tar for the directories of every layer not asked about yet (a shared layer is asked once)
  const asked: { diff: string; dirs: string[] }[] = [];
  diffs.forEach((diff, layer) => {
    const p = probes[layer];
    if (p && !p.subtree && p.dirs.length > 0 && !known.has(`${root}/${diff}`)) asked.push({ diff, dirs: p.dirs });
  });
  if (asked.length > 0) {
    const all = opaqueDirectories(
      root,
      asked.flatMap(({ diff, dirs }) => dirs.map((dir) => `${diff}/${dir}`)),
      signal,
    );
    for (const { diff } of asked) {
      const prefix = `${diff}/`;
      const mine = all.then(
        (found) => found && new Set([...found].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length))),
      );
      known.set(`${root}/${diff}`, mine);
      mine.catch(() => known.delete(`${root}/${diff}`));
    }
  }
  return Promise.all(diffs.map((diff) => known.get(`${root}/${diff}`) ?? Promise.resolve(new Set<string>())));
}

function once<K extends object, T>(
  memo: WeakMap<K, Map<string, Promise<T>>>,
  key: K,
  id: string,
  load: () => Promise<T>,
): Promise<T> {
  const loads = memo.get(key) ?? new Map<string, Promise<T>>();
  memo.set(key, loads);
  let loaded = loads.get(id);
  if (!loaded) {
    loaded = load();
    loads.set(id, loaded);
    loaded.catch(() => loads.delete(id));
  }
  return loaded;
}
