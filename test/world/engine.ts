import Docker from 'dockerode';
import { HASH_LABEL } from './hash.js';

/** The engine the world builds on: DOCKER_HOST, else the local socket. */
export function worldEngine(): Docker {
  const host = process.env.DOCKER_HOST;
  if (!host) return new Docker({ socketPath: '/var/run/docker.sock' });
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375) });
}

interface StreamLine {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/**
 * Reads an Engine API JSON stream to its end; rejects on any `error` line (the engine ends failed
 * builds and pushes normally, so `end` alone proves nothing).
 */
export function followStream(stream: NodeJS.ReadableStream, what: string, onLine?: (line: StreamLine) => void): Promise<StreamLine[]> {
  return new Promise((resolve, reject) => {
    const lines: StreamLine[] = [];
    let buffer = '';
    let error: string | undefined;
    const handle = (text: string): void => {
      if (!text.trim()) return;
      let line: StreamLine;
      try {
        line = JSON.parse(text) as StreamLine;
      } catch {
        line = { stream: text };
      }
      lines.push(line);
      if (line.error || line.errorDetail) error ??= line.errorDetail?.message ?? line.error;
      onLine?.(line);
    };
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        handle(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    stream.on('error', reject);
    stream.on('end', () => {
      handle(buffer);
      if (error) reject(new Error(`${what} failed: ${error.trim()}`));
      else resolve(lines);
    });
  });
}

/** The world hash label of a tagged image, or undefined when the tag does not exist. */
export async function imageHash(engine: Docker, tag: string): Promise<string | undefined> {
  try {
    const info = await engine.getImage(tag).inspect();
    return info.Config?.Labels?.[HASH_LABEL] ?? '';
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return undefined;
    throw cause;
  }
}
