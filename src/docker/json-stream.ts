import { destroyStream } from './adapters.js';
import { TslimError, type ErrorCode } from '../core/errors.js';

/** One line of an Engine API JSON progress stream (build, pull, push, import). */
export interface StreamEvent {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: Record<string, unknown>;
  error?: string;
  errorDetail?: { message?: string; code?: number };
}

export interface FollowOptions {
  onEvent?: (event: StreamEvent) => void;
  signal?: AbortSignal;
  /** Error code for an `error` line. */
  errorCode?: ErrorCode;
  what?: string;
}

/**
 * Reads a newline-delimited JSON stream to its end and returns every event. Rejects on the first
 * `error`/`errorDetail` line: the engine ends such streams normally, so `end` alone means nothing.
 */
export function followStream(stream: NodeJS.ReadableStream, options: FollowOptions = {}): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  let buffer = '';
  let failed: TslimError | undefined;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      destroyStream(stream);
      reject(new TslimError('ABORTED', 'interrupted'));
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const handleLine = (line: string): void => {
      if (line.trim() === '') return;
      let event: StreamEvent;
      try {
        event = JSON.parse(line) as StreamEvent;
      } catch {
        event = { stream: line };
      }
      events.push(event);
      if ((event.error || event.errorDetail) && !failed) {
        const message = event.errorDetail?.message ?? event.error ?? 'unknown error';
        failed = new TslimError(
          options.errorCode ?? 'ENGINE',
          `${options.what ?? 'engine operation'} failed: ${message.trim()}`,
          {
            details: { engineMessage: message.trim() },
          },
        );
      }
      options.onEvent?.(event);
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffer += chunk.toString();
      let index = buffer.indexOf('\n');
      while (index >= 0) {
        handleLine(buffer.slice(0, index));
        buffer = buffer.slice(index + 1);
        index = buffer.indexOf('\n');
      }
    });
    stream.on('error', (cause: Error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        failed ??
          new TslimError(options.errorCode ?? 'ENGINE', `${options.what ?? 'engine stream'} broke: ${cause.message}`, {
            cause,
          }),
      );
    });
    stream.on('end', () => {
      options.signal?.removeEventListener('abort', onAbort);
      handleLine(buffer);
      if (failed) reject(failed);
      else resolve(events);
    });
  });
}
