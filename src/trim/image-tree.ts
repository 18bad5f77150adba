import type { Header as Headers } from 'tar-stream';
import { throwIfAborted } from '../core/abort.js';
import type { Container } from '../docker/containers.js';
import { exportFilesystem, fileArchive } from '../docker/export-import.js';
import { walkTar } from '../docker/walk-tar.js';
import { ElfCapture, type CaptureResult } from './elf-capture.js';
import { FsTree, normalizePath } from './fs-tree.js';

/** Files read whole while streaming (ld.so.conf and its includes). */
const TEXT_FILES = /^\/etc\/ld\.so\.conf(\.d\/[^/]+)?$/;
/** The most of one file read again to reach a string table past the streamed prefix. */
const MAX_REREAD = 512 << 20;

export interface ImageTree {
  tree: FsTree;
  texts: Map<string, string>;
  /** Bytes streamed, and files read a second time (string table past the prefix). */
  stats: { bytes: number; files: number; reread: number };
}

function kindOf(header: Headers): 'file' | 'dir' | 'symlink' | 'hardlink' | 'other' {
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/**
 * The image's filesystem as an FsTree, read through the Engine API from a created (never started)
 * container: one export stream for every header and the ELF facts, then a second read of the few
 * files whose string table lies past the bounded prefix. Memory stays flat whatever the image size.
 */
export async function readImageTree(
  container: Container,
  options: { signal?: AbortSignal; onProgress?: (bytes: number, files: number) => void } = {},
): Promise<ImageTree> {
  const tree = new FsTree();
  const texts = new Map<string, string>();
  const stats = { bytes: 0, files: 0, reread: 0 };
  const pending: { path: string; need: CaptureResult & { kind: 'need' } }[] = [];
  let lastReport = 0;
  await walkTar(
    await exportFilesystem(container),
    (header, body, next) => {
      const path = normalizePath(header.name);
      const kind = kindOf(header);
      const size = kind === 'file' ? (header.size ?? 0) : 0;
      const capture = kind === 'file' && size >= 64 ? new ElfCapture() : undefined;
      const text: Buffer[] | undefined = kind === 'file' && TEXT_FILES.test(path) ? [] : undefined;
      body.on('data', (data) => {
        const chunk = data as Buffer;
        stats.bytes += chunk.length;
        capture?.push(chunk);
        text?.push(chunk);
      });
      body.on('end', () => {
        stats.files++;
        const result = capture?.finish();
        const target = header.linkname
          ? kind === 'hardlink'
            ? normalizePath(header.linkname)
            : header.linkname
          : undefined;
        tree.add({
          path,
          kind,
          size,
          ...(target !== undefined ? { target } : {}),
          ...(result?.kind === 'elf' ? { elf: result.info } : {}),
        });
        if (result?.kind === 'need') pending.push({ path, need: result });
        if (text) texts.set(path, Buffer.concat(text).toString('utf8'));
        if (stats.bytes - lastReport > 64 << 20) {
          lastReport = stats.bytes;
          options.onProgress?.(stats.bytes, stats.files);
        }
        next();
      });
    },
    options.signal,
  );
  for (const { path, need } of pending) {
    throwIfAborted(options.signal);
    const elf = await rereadElf(container, path, Math.min(need.offset + need.length, MAX_REREAD), options.signal);
    const entry = tree.get(path);
    if (entry && elf) tree.add({ ...entry, elf });
    stats.reread++;
  }
  return { tree, texts, stats };
}

async function rereadElf(container: Container, path: string, prefix: number, signal?: AbortSignal) {
  const capture = new ElfCapture(prefix);
  await walkTar(
    await fileArchive(container, path, signal),
    (_header, body, next) => {
      body.on('data', (chunk) => capture.push(chunk as Buffer));
      body.on('end', next);
    },
    signal,
  );
  const result = capture.finish();
  return result.kind === 'elf' ? result.info : undefined;
}
