import type { RawImage } from '../docker/images.js';
import { openWholeLayerStore } from '../docker/layer-store-whole.js';
import { MAX_TEXT_BYTES, sonameFrom, type FileEntry, type ImageFiles } from './image-files.js';

/**
 * The image's files from the engine's layer store (no container): every layer's record for the
 * entries, the layer's unpacked files for the texts and SONAMEs. `unusable` says why not here.
 */
export async function filesFromLayers(raw: RawImage, signal?: AbortSignal): Promise<ImageFiles | { unusable: string }> {
  const opened = await openWholeLayerStore(raw, signal);
  if ('unusable' in opened) return opened;
  const { store } = opened;
  const entries = new Map<string, FileEntry>();
  for (const [path, e] of store.tree.entries()) {
    entries.set(path, { type: e.type, size: e.size, ...(e.linkname === undefined ? {} : { linkname: e.linkname }) });
  }
  // a link the view cannot follow (dangling, or out of the image) reads as no file
  const read = (path: string, offset: number, length: number): Promise<Buffer | undefined> =>
    store.read(path, offset, length).catch(() => undefined);
  return {
    entries,
    method: 'layers',
    text: async (path) => {
      const size = entries.get(path)?.size ?? 0;
      return (await read(path, 0, Math.min(Math.max(size, 64 * 1024), MAX_TEXT_BYTES)))?.toString('utf8');
    },
    soname: (path) => sonameFrom((offset, length) => read(path, offset, length)),
  };
}
