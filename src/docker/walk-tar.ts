import type { Header, extract as TarExtract } from 'tar-stream';
import { importModule } from '../core/import-module.js';

/** A tar entry's body (a streamx Readable): only its events are used. */
export interface TarEntryBody {
  on(event: 'data' | 'end', listener: (chunk?: unknown) => void): unknown;
}

/**
 * Walks a tar stream (an export, a layer) entry by entry: each header and its body go to `onEntry`,
 * which calls `done` when it has read the body; nothing is buffered whole. An abort destroys both
 * streams and rejects. tar-stream loads on first use.
 */
export async function walkTar(
  stream: NodeJS.ReadableStream,
  onEntry: (header: Header, body: TarEntryBody, done: () => void) => void,
  signal?: AbortSignal,
): Promise<void> {
  const { extract } = await importModule<{ extract: typeof TarExtract }>('tar-stream');
  return new Promise<void>((resolve, reject) => {
    const tar = extract();
    const onAbort = (): void => {
      tar.destroy();
      (stream as { destroy?: () => void }).destroy?.();
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    tar.on('entry', (header, body, next) => onEntry(header, body, next));
    tar.on('finish', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    tar.on('error', reject);
    stream.on('error', reject);
    stream.pipe(tar);
  });
}
