import { Readable } from 'node:stream';
import { TslimError } from '../core/errors.js';

// dockerode's typings say `any` or the wrong thing for several results (a stream typed as a
// buffer, headers typed away); these adapters turn each into its real type with one runtime check.

function engineShape(what: string, got: unknown): TslimError {
  return new TslimError(
    'ENGINE',
    `the engine answered ${what} with ${describe(got)}, not what the Engine API documents`,
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return `a ${value.length}-byte buffer`;
  return typeof value === 'object' ? 'an object of another shape' : `a ${typeof value}`;
}

/** A stream result (build, push, pull, archive, export): anything that pipes. */
export function asReadable(value: unknown, what: string): NodeJS.ReadableStream {
  if (value instanceof Readable) return value;
  const v = value as Partial<NodeJS.ReadableStream> | null;
  if (v !== null && typeof v === 'object' && typeof v.pipe === 'function' && typeof v.on === 'function') {
    return v as NodeJS.ReadableStream;
  }
  throw engineShape(what, value);
}

/** A stream we may have to stop early (abort): destroy when the stream has it. */
export function destroyStream(stream: NodeJS.ReadableStream): void {
  if (stream instanceof Readable) stream.destroy();
  else if ('destroy' in stream && typeof stream.destroy === 'function') (stream.destroy as () => void).call(stream);
}

/** The container logs endpoint without follow: a buffer of multiplexed frames. */
export function asBuffer(value: unknown, what: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  throw engineShape(what, value);
}

export interface PathStat {
  name: string;
  size: number;
  mode: number;
  linkTarget: string;
}

/** HEAD /containers/{id}/archive: the stat travels base64-encoded in X-Docker-Container-Path-Stat. */
export function archiveStat(info: unknown): PathStat | undefined {
  const headers = (info as { headers?: unknown } | null)?.headers;
  if (headers === null || typeof headers !== 'object') return undefined;
  const raw = (headers as Record<string, unknown>)['x-docker-container-path-stat'];
  if (typeof raw !== 'string' || raw === '') return undefined;
  const stat = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Partial<PathStat>;
  if (typeof stat.name !== 'string' || typeof stat.size !== 'number' || typeof stat.mode !== 'number') {
    throw engineShape('an archive stat', stat);
  }
  return { name: stat.name, size: stat.size, mode: stat.mode, linkTarget: stat.linkTarget ?? '' };
}
