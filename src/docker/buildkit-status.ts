import protobuf from 'protobufjs/light.js';
import { TslimError } from '../core/errors.js';
import { BUILDKIT_STATUS_DESCRIPTOR } from './buildkit-status-descriptor.js';

/** One BuildKit progress message (`moby.buildkit.trace`), decoded into plain values. */
export interface BuildKitStatus {
  vertexes: BuildKitVertex[];
  statuses: BuildKitVertexStatus[];
  logs: BuildKitVertexLog[];
}

export interface BuildKitVertex {
  digest: string;
  name: string;
  cached: boolean;
  /** Milliseconds since the epoch; undefined until the vertex starts / completes. */
  started: number | undefined;
  completed: number | undefined;
  error: string;
}

export interface BuildKitVertexStatus {
  id: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
  completed: number | undefined;
}

export interface BuildKitVertexLog {
  vertex: string;
  /** 1 stdout, 2 stderr. */
  stream: number;
  msg: Buffer;
}

let statusType: protobuf.Type | undefined;

function statusResponse(): protobuf.Type {
  statusType ??= protobuf.Root.fromJSON(BUILDKIT_STATUS_DESCRIPTOR).lookupType('moby.buildkit.v1.StatusResponse');
  return statusType;
}

type Plain = Record<string, unknown>;

const str = (o: Plain, key: string): string => (typeof o[key] === 'string' ? o[key] : '');
const num = (o: Plain, key: string): number => (typeof o[key] === 'number' ? o[key] : 0);
const list = (o: Plain, key: string): Plain[] => (Array.isArray(o[key]) ? (o[key] as Plain[]) : []);

function millis(o: Plain, key: string): number | undefined {
  const ts = o[key];
  if (ts === null || typeof ts !== 'object') return undefined;
  const t = ts as Plain;
  return num(t, 'seconds') * 1000 + Math.floor(num(t, 'nanos') / 1e6);
}

/** Decodes the `aux` of a `moby.buildkit.trace` line: base64 of a protobuf StatusResponse. */
export function decodeBuildKitStatus(aux: string): BuildKitStatus {
  let o: Plain;
  try {
    const type = statusResponse();
    o = type.toObject(type.decode(Buffer.from(aux, 'base64')), { longs: Number, bytes: Buffer });
  } catch (cause) {
    throw new TslimError('ENGINE', 'the engine sent a BuildKit progress message that is not a StatusResponse', {
      cause,
    });
  }
  return {
    vertexes: list(o, 'vertexes').map((v) => ({
      digest: str(v, 'digest'),
      name: str(v, 'name'),
      cached: v.cached === true,
      started: millis(v, 'started'),
      completed: millis(v, 'completed'),
      error: str(v, 'error'),
    })),
    statuses: list(o, 'statuses').map((s) => ({
      id: str(s, 'ID'),
      vertex: str(s, 'vertex'),
      name: str(s, 'name'),
      current: num(s, 'current'),
      total: num(s, 'total'),
      completed: millis(s, 'completed'),
    })),
    logs: list(o, 'logs').map((l) => ({
      vertex: str(l, 'vertex'),
      stream: num(l, 'stream'),
      msg: Buffer.isBuffer(l.msg) ? l.msg : Buffer.alloc(0),
    })),
  };
}

/** For tests: encodes a StatusResponse the way the engine does. */
export function encodeBuildKitStatus(message: Record<string, unknown>): string {
  const type = statusResponse();
  return Buffer.from(type.encode(type.fromObject(message)).finish()).toString('base64');
}
