import type { LayerEntry } from './layer-tar-split.js';

/** An entry of the image's file tree and the layer (0 = bottom) it comes from. */
export interface TreeEntry {
  type: Exclude<LayerEntry['type'], 'whiteout' | 'opaque'>;
  size: number;
  linkname?: string;
  layer: number;
}

/**
 * The file tree an image's containers start from, made of its layers' entries the way the union
 * filesystem stacks them (the OCI layer rules): a whiteout hides the path below it, an opaque
 * marker everything below its directory, an entry replaces the one below it, and one that is not a
 * directory also hides what lay under that path. Holds only the entries it is given.
 */
export class LayerTree {
  readonly #entries = new Map<string, TreeEntry>();

  /** Stacks the next layer (bottom first). Its whiteouts apply to the layers below it only. */
  add(layer: number, entries: readonly LayerEntry[]): void {
    for (const entry of entries) {
      if (entry.type === 'whiteout') this.#remove(entry.path, true);
      else if (entry.type === 'opaque') this.#remove(entry.path, false);
    }
    for (const { path, type, size, linkname } of entries) {
      if (type === 'whiteout' || type === 'opaque') continue;
      const below = this.#entries.get(path);
      if (below?.type === 'directory' && type !== 'directory') this.#remove(path, true);
      this.#entries.set(path, { type, size, layer, ...(linkname !== undefined ? { linkname } : {}) });
    }
  }

  get(path: string): TreeEntry | undefined {
    return this.#entries.get(path);
  }

  /** Every entry, in no set order. */
  entries(): Iterable<[string, TreeEntry]> {
    return this.#entries.entries();
  }

  /** Entries strictly below the directory `dir`, in no set order. */
  *below(dir: string): Iterable<[string, TreeEntry]> {
    const prefix = `${dir}/`;
    for (const item of this.#entries) if (item[0].startsWith(prefix)) yield item;
  }

  #remove(path: string, itself: boolean): void {
    if (itself) this.#entries.delete(path);
    for (const [key] of this.below(path)) this.#entries.delete(key);
  }
}
