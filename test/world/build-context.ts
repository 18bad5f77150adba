import tar from 'tar-stream';
import type { Readable } from 'node:stream';

export interface ContextFile {
  name: string;
  /** The file's bytes; absent for a symbolic link. */
  content?: string | Buffer;
  mode?: number;
  /** Makes the entry a symbolic link to this target. */
  linkname?: string;
}

/** A tar build context from in-memory files (a few KB, or the real pair's ~60 MB). */
export function buildContext(files: ContextFile[]): Readable {
  const pack = tar.pack();
  for (const file of files) {
    if (file.linkname !== undefined)
      pack.entry({ name: file.name, type: 'symlink', linkname: file.linkname, mtime: new Date(0) });
    else pack.entry({ name: file.name, mode: file.mode ?? 0o644, mtime: new Date(0) }, file.content ?? '');
  }
  pack.finalize();
  return pack as unknown as Readable;
}
