import { PassThrough } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { normalizePath } from './fs-tree.js';

export interface RewriteStats {
  kept: number;
  dropped: number;
  keptBytes: number;
  droppedBytes: number;
}

/**
 * The filesystem tar with `remove`d paths left out, as a new tar stream: entries are piped through
 * one at a time with backpressure, so memory stays flat. Headers pass unchanged (modes, owners,
 * times, links), so the result is the same filesystem less what was removed.
 */
export function rewriteTar(
  source: NodeJS.ReadableStream,
  remove: (path: string) => boolean,
  stats: RewriteStats,
): PassThrough {
  const input = extract();
  const output = pack();
  // A node stream for the Engine API request body (tar-stream's streams are streamx ones).
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const fail = (error: Error): void => {
    input.destroy(error);
    output.destroy(error);
    body.destroy(error);
  };
  body.on('close', () => {
    if (!input.destroyed && !body.writableFinished) fail(new Error('the import stopped reading'));
  });
  input.on('entry', (header, body, next) => {
    const path = normalizePath(header.name);
    const size = header.type === 'file' ? (header.size ?? 0) : 0;
    if (remove(path)) {
      stats.dropped++;
      stats.droppedBytes += size;
      body.on('end', () => next());
      body.resume();
      return;
    }
    stats.kept++;
    stats.keptBytes += size;
    const sink = output.entry(header, (error) => (error ? fail(error) : next()));
    body.pipe(sink);
  });
  input.on('finish', () => output.finalize());
  input.on('error', fail);
  source.on('error', (error: Error) => fail(error));
  source.pipe(input);
  output.pipe(body);
  return body;
}
