import type { RawImage } from '../docker/images.js';
import { openLayerStore, type LayerStore, type LayerStoreResult } from '../docker/layer-store.js';
import type { LayerTree } from '../docker/layer-tree.js';
import type { WantedPaths } from '../docker/layer-probe.js';
import type { Component, ComponentKind } from './facts.js';
import { TRITON_ROOT } from './payload.js';
import { compareText } from '../core/compare.js';

/** What inspect reads from an image's files (the part worth caching per image id). */
export interface FileFacts {
  osText?: string | undefined;
  hasRoot: boolean;
  serve: boolean;
  tritonVersionFile?: string | undefined;
  components: Record<ComponentKind, Component[]>;
  sizeMethod?: 'layers' | 'du' | 'stream' | undefined;
}

const KINDS: readonly ComponentKind[] = ['backends', 'repoagents', 'caches'];
const ROOT = TRITON_ROOT.slice(1);
/** The paths inspect reads (their ancestors too: a whiteout or a symlink there counts), and all of /opt/tritonserver. */
const WANTED: WantedPaths = { paths: ['etc/os-release', 'usr/lib/os-release', 'usr/bin/serve'], subtree: ROOT };
const ABOVE = ['opt', 'etc', 'usr', 'usr/lib', 'usr/bin', ROOT];

/**
 * Where `auto` stops reading the layer store: its time follows the records it reads (every entry of
 * the layers that hold /opt/tritonserver; the others are answered from their files), a container's
 * does not. ~0.07 s per MB of gzipped records here (a forced read of 169k entries, 4.4 MB: 0.30 s),
 * while a scratch container costs ~0.2 s more than the store's fixed part; real images' records
 * compress less than that bench's, so this errs towards containers.
 */
export const AUTO_MAX_RECORD_BYTES = 3_000_000;

/** One read of the layer store per image and run: inspect and the component listing share it. */
const opened = new Map<string, Promise<LayerStoreResult>>();

/** The image's layer store; `forced` (asked for by name) reads it whatever the records' size. */
export function imageLayers(raw: RawImage, signal?: AbortSignal, forced = false): Promise<LayerStoreResult> {
  // the way out when the store must not be read (a debugging aid; the tests of the container path)
  if (process.env.TSLIM_LAYER_STORE === '0') return Promise.resolve({ unusable: 'TSLIM_LAYER_STORE=0' });
  const key = `${raw.Id}:${forced}`;
  let result = opened.get(key);
  if (!result) {
    result = openLayerStore(raw, WANTED, signal, forced ? undefined : AUTO_MAX_RECORD_BYTES);
    opened.set(key, result);
    result.catch(() => opened.delete(key));
  }
  return result;
}

/**
 * The facts inspect reads from files, from the layer store (no container); `unusable` when the
 * view cannot answer for sure (a symlinked /opt/tritonserver or component directory, an
 * os-release link leading out of the view), and the container path answers instead.
 */
export async function layerFileFacts(store: LayerStore, payload: boolean): Promise<FileFacts | { unusable: string }> {
  const { tree } = store;
  const linked = [...ABOVE, ...KINDS.map((kind) => `${ROOT}/${kind}`)].find(
    (path) => tree.get(path)?.type === 'symlink',
  );
  if (linked) return { unusable: `/${linked} is a symlink` };
  const hasRoot = tree.get(ROOT) !== undefined;
  // sizes only: a component's hard link whose shared file the view does not keep has none
  const unsized = payload ? [...tree.below(ROOT)].find(([, entry]) => entry.size < 0) : undefined;
  if (unsized) return { unusable: `/${unsized[0]} is a hard link to a file outside ${TRITON_ROOT}` };
  try {
    const osText = (await store.readText('etc/os-release')) ?? (await store.readText('usr/lib/os-release'));
    return {
      osText,
      hasRoot,
      serve: tree.get('usr/bin/serve') !== undefined,
      tritonVersionFile: hasRoot ? await store.readText(`${ROOT}/TRITON_VERSION`) : undefined,
      components: hasRoot && payload ? componentSizes(tree) : { backends: [], repoagents: [], caches: [] },
      sizeMethod: hasRoot && payload ? 'layers' : undefined,
    };
  } catch (cause) {
    return { unusable: (cause as Error).message };
  }
}

/** Which candidate component names exist in the tree (compose's presence check). */
export function layerComponentNames(
  tree: LayerTree,
  candidates: Record<ComponentKind, string[]>,
): Record<ComponentKind, string[]> {
  const found: Record<ComponentKind, string[]> = { backends: [], repoagents: [], caches: [] };
  for (const kind of KINDS) {
    for (const name of [...new Set(candidates[kind])].sort()) {
      if (tree.get(`${ROOT}/${kind}/${name}`) !== undefined) found[kind].push(name);
    }
  }
  return found;
}

/**
 * Sizes per component as the other two paths count them (du-sizes.ts, payload.ts): every entry
 * but directories, a symlink by its target text, a hard link once (or as a file when what it
 * shares is outside the component's kind directory, as the kind's tar would carry it).
 */
export function componentSizes(tree: LayerTree): Record<ComponentKind, Component[]> {
  const sizes = {} as Record<ComponentKind, Component[]>;
  for (const kind of KINDS) {
    const dir = `${ROOT}/${kind}`;
    const totals = new Map<string, Component>();
    for (const [path, entry] of tree.below(dir)) {
      const name = path.slice(dir.length + 1).split('/')[0] ?? '';
      const component = totals.get(name) ?? { name, bytes: 0, files: 0 };
      totals.set(name, component);
      if (entry.type === 'directory') continue;
      const shared = entry.type === 'link' && entry.linkname?.startsWith(`${dir}/`) && tree.get(entry.linkname);
      if (shared) continue;
      component.bytes += entry.type === 'symlink' ? Buffer.byteLength(entry.linkname ?? '') : entry.size;
      component.files += 1;
    }
    sizes[kind] = [...totals.values()].sort((a, b) => compareText(a.name, b.name));
  }
  return sizes;
}
