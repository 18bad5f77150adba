import type { IncomingMessage } from 'node:http';
import type { Engine } from './engine.js';

export interface DialRequest {
  method: 'GET' | 'HEAD' | 'POST';
  /** Path with a trailing `?` when `query` is given (docker-modem appends the query string). */
  path: string;
  query?: Record<string, unknown>;
  body?: NodeJS.ReadableStream;
  signal?: AbortSignal;
}

/**
 * An Engine API request through dockerode's connection (socket, TLS, DOCKER_HOST handled there),
 * for the endpoints and headers dockerode does not expose: the /_ping headers, a BuildKit /build
 * without dockerode's own session, /build/cancel. Resolves with the response stream on a 2xx.
 */
export function dialEngine(engine: Engine, request: DialRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    engine.modem.dial(
      {
        path: request.path,
        method: request.method,
        options: request.query ?? {},
        ...(request.body ? { file: request.body } : {}),
        isStream: true,
        statusCodes: { 200: true, 201: true, 204: true, 400: 'bad parameter', 404: 'not found', 500: 'server error' },
        ...(request.signal ? { abortSignal: request.signal } : {}),
      },
      (err, result) => {
        if (err) reject(err);
        else resolve(result as IncomingMessage);
      },
    );
  });
}
