import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RawImage } from './images.js';

/**
 * Where an image's layers lie in Docker's overlay2 store on this host: layerdb/sha256/CHAIN holds a
 * layer's tar-split record and its cache-id, overlay2/CACHE-ID/diff its files. Found from the
 * inspect data (GraphDriver's UpperDir names the top layer's directory), and checked: the store's
 * cache-id of the top chain must be that directory.
 */
export interface OverlayStore {
  /** The engine's data root. */
  root: string;
  layerdb: string;
  /** Each layer's chain id without "sha256:" (its layerdb directory), bottom first. */
  chains: string[];
  /** A layer's directory name under `${root}/overlay2`, read once. */
  cacheId: (layer: number) => Promise<string>;
}

const DIFF_DIR = /^(\/.+)\/overlay2\/([A-Za-z0-9_-]+)\/diff$/;

export async function openOverlayStore(raw: RawImage): Promise<OverlayStore | { unusable: string }> {
  const driver = raw.GraphDriver as { Name?: string; Data?: Record<string, string> | null } | undefined;
  if (driver?.Name !== 'overlay2') return { unusable: `storage driver ${driver?.Name || 'unknown'}, not overlay2` };
  const upper = DIFF_DIR.exec(driver.Data?.UpperDir ?? '');
  const diffIds = raw.RootFS?.Layers ?? [];
  if (!upper || diffIds.length === 0) return { unusable: 'the engine names no overlay2 layer directory' };
  const root = upper[1] ?? '';
  const layerdb = `${root}/image/overlay2/layerdb/sha256`;
  let chains: string[];
  try {
    chains = chainIds(diffIds).map(hex);
  } catch (cause) {
    return { unusable: unreadable(root, cause) };
  }
  const ids = new Map<number, Promise<string>>();
  const store: OverlayStore = {
    root,
    layerdb,
    chains,
    cacheId: (layer) => {
      let id = ids.get(layer);
      if (!id) {
        id = readFile(`${layerdb}/${store.chains[layer]}/cache-id`, 'utf8').then((text) => {
          // a directory name under the store, nothing that could lead out of it
          if (!/^[A-Za-z0-9_-]+$/.test(text.trim()))
            throw new Error(`odd cache-id ${JSON.stringify(text.slice(0, 80))}`);
          return text.trim();
        });
        ids.set(layer, id);
      }
      return id;
    },
  };
  try {
    // the engine's top layer directory is the one this host's store names for the top chain id
    if ((await store.cacheId(store.chains.length - 1)) !== upper[2])
      return { unusable: `${root} is not the engine's layer store` };
  } catch (cause) {
    return { unusable: unreadable(root, cause) };
  }
  return store;
}

export function unreadable(root: string, cause: unknown): string {
  return `cannot read the layer store at ${root} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`;
}

/** OCI chain ids: the first layer's diff id, then sha256 of "PARENT-CHAIN DIFF-ID". */
export function chainIds(diffIds: readonly string[]): string[] {
  const chains: string[] = [];
  for (const diffId of diffIds) {
    const parent = chains.at(-1);
    chains.push(parent ? `sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}` : diffId);
  }
  return chains;
}

function hex(digest: string | undefined): string {
  const value = (digest ?? '').replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(value)) throw new Error(`not a sha256 digest: ${digest}`);
  return value;
}
