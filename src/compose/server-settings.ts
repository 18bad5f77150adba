import { usageError } from '../core/errors.js';
import { parseSize } from '../core/sizes.js';

/**
 * Triton runtime settings a profile (`server:`) or `--server-arg KEY=VALUE` carries into the image.
 * Every value is checked against its kind here, so what reaches the Dockerfile (a JSON-array CMD,
 * a wrapper script, a label) holds only digits, names and absolute paths.
 */
type Kind = 'size' | 'int' | 'port' | 'enum' | 'bool' | 'names' | 'gpu-sizes' | 'path' | 'paths';

interface Spec {
  kind: Kind;
  /** enum values */
  values?: readonly string[];
  /** false: a run-time requirement, not a tritonserver flag (shm-size). */
  flag?: false;
}

/** Known settings, in the order their flags are rendered. */
export const SERVER_SETTINGS = {
  'model-repository': { kind: 'paths' },
  'model-control-mode': { kind: 'enum', values: ['none', 'poll', 'explicit'] },
  'load-model': { kind: 'names' },
  'pinned-memory-pool-byte-size': { kind: 'size' },
  'cuda-memory-pool-byte-size': { kind: 'gpu-sizes' },
  'log-verbose': { kind: 'int' },
  'log-file': { kind: 'path' },
  'http-port': { kind: 'port' },
  'grpc-port': { kind: 'port' },
  'metrics-port': { kind: 'port' },
  'grpc-keepalive-time': { kind: 'int' },
  'grpc-keepalive-timeout': { kind: 'int' },
  'grpc-keepalive-permit-without-calls': { kind: 'bool' },
  'grpc-http2-max-pings-without-data': { kind: 'int' },
  'grpc-http2-min-recv-ping-interval-without-data': { kind: 'int' },
  'grpc-http2-max-ping-strikes': { kind: 'int' },
  'shm-size': { kind: 'size', flag: false },
} as const satisfies Record<string, Spec>;

export type ServerKey = keyof typeof SERVER_SETTINGS;
/** size/int/port: a number; enum/path: a string; bool; names/paths: strings; gpu-sizes: GPU id -> bytes. */
export type ServerValue = number | string | boolean | string[] | Record<string, number>;
export type ServerSettings = Partial<Record<ServerKey, ServerValue>>;

export const KEYS = Object.keys(SERVER_SETTINGS) as ServerKey[];
const INT_MAX = 2 ** 31 - 1;
const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const ABS_PATH = /^\/[A-Za-z0-9_.@+/-]{0,1023}$/;

/** How a valid value looks, shown in every refusal. */
const FORM: Record<Kind, string> = {
  size: 'a size such as 256MiB, 256MB or 268435456 (bytes)',
  int: `an integer 0-${INT_MAX}`,
  port: 'a port 1-65535',
  enum: '',
  bool: 'true or false',
  names: "model names (letters, digits, _ . -), or '*' alone",
  'gpu-sizes': 'GPU:SIZE pairs such as 0:256MiB,1:128MiB (or a mapping of GPU id to size)',
  path: 'an absolute path (letters, digits, _ . @ + - /)',
  paths: 'absolute paths (letters, digits, _ . @ + - /)',
};

export function isServerKey(key: string): key is ServerKey {
  return Object.hasOwn(SERVER_SETTINGS, key);
}

export function spec(key: ServerKey): Spec {
  return SERVER_SETTINGS[key];
}

export function formOf(key: ServerKey): string {
  const s = spec(key);
  return s.kind === 'enum' ? `one of ${s.values!.join(', ')}` : FORM[s.kind];
}

function refuse(key: ServerKey, raw: unknown): never {
  const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
  throw usageError(
    `server setting '${key}' must be ${formOf(key)}, got '${shown}'`,
    `e.g. --server-arg ${key}=${example(key)}, or in a profile: server: { ${key}: ${example(key)} }`,
  );
}

function example(key: ServerKey): string {
  const s = spec(key);
  const by: Record<Kind, string> = {
    size: '256MiB',
    int: '1',
    port: '8000',
    enum: s.values?.[0] ?? '',
    bool: 'true',
    names: 'my_model',
    'gpu-sizes': '0:256MiB',
    path: '/var/log/triton.log',
    paths: '/models',
  };
  return by[s.kind];
}

export function unknownKey(key: string): never {
  throw usageError(
    `unknown server setting '${key}'; known: ${KEYS.join(', ')}`,
    'server settings are Triton flags without the leading --, see docs/compose.md "Server settings"',
  );
}

/** Bytes from a YAML number or a size text; undefined when negative, fractional or malformed. */
function sizeOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? raw : undefined;
  return typeof raw === 'string' && /^\s*\d/.test(raw) ? parseSize(raw) : undefined;
}

function bytes(key: ServerKey, raw: unknown): number {
  const n = sizeOf(raw);
  if (n === undefined) refuse(key, raw);
  return n;
}

function integer(key: ServerKey, raw: unknown, min: number, max: number): number {
  const n =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) refuse(key, raw);
  return n;
}

function strings(key: ServerKey, raw: unknown): string[] {
  if (typeof raw === 'string') return raw.split(',').map((s) => s.trim());
  if (Array.isArray(raw) && raw.every((v) => typeof v === 'string')) return raw;
  refuse(key, raw);
}

function gpuSizes(key: ServerKey, raw: unknown): Record<string, number> {
  const pairs: [string, unknown][] =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? Object.entries(raw)
      : strings(key, raw).map((p) => {
          const colon = p.indexOf(':');
          if (colon <= 0) refuse(key, raw);
          return [p.slice(0, colon), p.slice(colon + 1)];
        });
  if (pairs.length === 0) refuse(key, raw);
  const out: Record<string, number> = {};
  for (const [gpu, size] of pairs) {
    const n = sizeOf(size);
    if (!/^\d{1,4}$/.test(gpu.trim()) || n === undefined) refuse(key, raw);
    out[String(Number(gpu))] = n;
  }
  return out;
}

/** Checks one value against its key's kind and returns it normalised (bytes as numbers, booleans). */
export function parseSetting(key: string, raw: unknown): ServerValue {
  if (!isServerKey(key)) unknownKey(key);
  const s = spec(key);
  switch (s.kind) {
    case 'size':
      return bytes(key, raw);
    case 'int':
      return integer(key, raw, 0, INT_MAX);
    case 'port':
      return integer(key, raw, 1, 65535);
    case 'enum': {
      if (typeof raw !== 'string' || !s.values!.includes(raw)) refuse(key, raw);
      return raw;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const text = typeof raw === 'string' ? raw.toLowerCase() : '';
      if (text === 'true' || text === 'false') return text === 'true';
      return refuse(key, raw);
    }
    case 'names': {
      const names = strings(key, raw);
      const ok =
        names.length > 0 &&
        (names.length === 1 && names[0] === '*' ? true : names.every((n) => MODEL_NAME.test(n) && !n.includes('..')));
      if (!ok) refuse(key, raw);
      return names;
    }
    case 'gpu-sizes':
      return gpuSizes(key, raw);
    case 'path': {
      if (typeof raw !== 'string' || !ABS_PATH.test(raw) || raw.includes('..')) refuse(key, raw);
      return raw;
    }
    case 'paths': {
      const paths = strings(key, raw);
      if (paths.length === 0 || !paths.every((p) => ABS_PATH.test(p) && !p.includes('..'))) refuse(key, raw);
      return paths;
    }
  }
}
