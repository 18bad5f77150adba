import { posix } from 'node:path';
import type { Header } from 'tar-stream';
import { withScratchContainer } from '../docker/archive.js';
import type { Engine } from '../docker/engine.js';
import { exportFilesystem } from '../docker/export-import.js';
import { walkTar } from '../docker/walk-tar.js';
import { ElfCapture } from '../trim/elf-capture.js';
import { MAX_TEXT_BYTES, wantsSoname, wantsText, type FileEntry, type ImageFiles } from './image-files.js';

/**
 * The image's files from a created (never started) container's export stream, where the layer
 * store cannot be read (a remote or rootless engine, another storage driver): one pass, every
 * header kept, the wanted texts and NVIDIA libraries' SONAMEs captured as their bytes pass. Reads
 * the whole filesystem through the engine, so it takes what a `docker export` takes.
 */
export async function filesFromExport(
  engine: Engine,
  imageId: string,
  runId: string,
  signal?: AbortSignal,
): Promise<ImageFiles> {
  const entries = new Map<string, FileEntry>();
  const texts = new Map<string, string>();
  const sonames = new Map<string, string>();
  await withScratchContainer(
    engine,
    imageId,
    runId,
    async (container) => {
      const stream = await exportFilesystem(container);
      await walkTar(
        stream,
        (header, body, next) => {
          const path = posix
            .normalize(header.name)
            .replace(/^(\.\/|\/)+/, '')
            .replace(/\/$/, '');
          const entry = toEntry(header, entries);
          if (path && path !== '.') entries.set(path, entry);
          const elf = entry.type === 'file' && wantsSoname(path) ? new ElfCapture() : undefined;
          const text: Buffer[] | undefined =
            entry.type === 'file' && wantsText(path) && entry.size <= MAX_TEXT_BYTES ? [] : undefined;
          body.on('data', (data) => {
            const chunk = data as Buffer;
            text?.push(chunk);
            elf?.push(chunk);
          });
          body.on('end', () => {
            if (text) texts.set(path, Buffer.concat(text).toString('utf8'));
            const found = elf?.finish();
            if (found?.kind === 'elf' && found.info.soname) sonames.set(path, found.info.soname);
            next();
          });
        },
        signal,
      );
    },
    signal,
  );
  const follow = (path: string): string => {
    let at = path;
    for (let hops = 0; hops < 16; hops += 1) {
      const e = entries.get(at);
      if (e?.type === 'link' && e.linkname) at = e.linkname;
      else if (e?.type === 'symlink' && e.linkname) at = posix.resolve(posix.dirname(`/${at}`), e.linkname).slice(1);
      else return at;
    }
    return at;
  };
  return {
    entries,
    method: 'export',
    text: (path) => Promise.resolve(texts.get(follow(path))),
    soname: (path) => Promise.resolve(sonames.get(follow(path))),
  };
}

function toEntry(header: Header, seen: ReadonlyMap<string, FileEntry>): FileEntry {
  const linkname = header.linkname ? posix.normalize(header.linkname).replace(/^(\.\/)+/, '') : undefined;
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      return { type: 'file', size: header.size ?? 0 };
    case 'directory':
      return { type: 'directory', size: 0 };
    case 'symlink':
      return { type: 'symlink', size: 0, ...(header.linkname ? { linkname: header.linkname } : {}) };
    case 'link': {
      const target = linkname?.replace(/^\/+/, '');
      return {
        type: 'link',
        size: target ? (seen.get(target)?.size ?? 0) : 0,
        ...(target ? { linkname: target } : {}),
      };
    }
    default:
      return { type: 'other', size: 0 };
  }
}
