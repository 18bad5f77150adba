import tar from 'tar-stream';
import type { Readable } from 'node:stream';

export interface ContextFile {
  name: string;
  content: string | Buffer;
  mode?: number;
}

/** A tar build context from in-memory files (the world's contexts are a few KB). */
export function buildContext(files: ContextFile[]): Readable {
  const pack = tar.pack();
  for (const file of files) pack.entry({ name: file.name, mode: file.mode ?? 0o644, mtime: new Date(0) }, file.content);
  pack.finalize();
  return pack as unknown as Readable;
}
