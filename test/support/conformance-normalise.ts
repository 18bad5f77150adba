import type { ConformanceRequest } from './conformance-requests.js';

/** One answer, normalised: what the suite compares between the real server and the double. */
export interface Answer {
  status: number;
  /** Canonical text of the body: JSON with sorted keys and times zeroed, binary data as hex, metrics series. */
  body: string;
}

export interface Ports {
  http: number;
  metrics: number;
}

/** Statistics keys whose values are times (ns counters, timestamps): zeroed before comparing. */
const TIME_KEYS = new Set(['ns', 'last_inference']);

/** Sorted keys, times zeroed, at any depth. */
export function canonical(value: unknown, key = ''): unknown {
  if (TIME_KEYS.has(key) && typeof value === 'number') return value === 0 ? 0 : '<time>';
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .map((k) => [k, canonical(obj[k], k)]),
    );
  }
  return value;
}

function jsonText(text: string): string {
  if (text === '') return '(empty)';
  try {
    return JSON.stringify(canonical(JSON.parse(text)));
  } catch {
    return `(not JSON) ${text}`;
  }
}

/** The series of a Prometheus text, names and labels without values, one a line, sorted. */
export function metricSeries(text: string, which: 'gpu' | 'other'): string {
  const series = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+\S+/.exec(line);
    if (!m) continue;
    const name = m[1]!;
    if (name.startsWith('nv_gpu_') !== (which === 'gpu')) continue;
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort();
    series.add(labels.length ? `${name}{${labels.join(',')}}` : name);
  }
  return [...series].sort().join('\n') || '(no series)';
}

/** An infer answer: the JSON header normalised, then each binary tensor's bytes in hex. */
function inferText(raw: Buffer, headerLength: string | null): string {
  if (headerLength === null) return jsonText(raw.toString('utf8'));
  const n = Number(headerLength);
  const head = jsonText(raw.subarray(0, n).toString('utf8'));
  return `${head}\n[Inference-Header-Content-Length] binary: ${raw.subarray(n).toString('hex')}`;
}

/** Sends one request to the server on `ports` (127.0.0.1) and normalises its answer. */
export async function send(request: ConformanceRequest, ports: Ports): Promise<Answer> {
  const port = request.port === 'http' ? ports.http : ports.metrics;
  const headers: Record<string, string> = {};
  let body: Buffer | string | undefined;
  if (request.raw) {
    headers['content-type'] = 'application/octet-stream';
    if (request.raw.headerLength !== undefined)
      headers['inference-header-content-length'] = String(request.raw.headerLength);
    body = request.raw.body;
  } else if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  }
  const res = await fetch(`http://127.0.0.1:${port}${request.path}`, {
    method: request.method,
    headers,
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(60_000),
  });
  const raw = Buffer.from(await res.arrayBuffer());
  if (request.series) return { status: res.status, body: metricSeries(raw.toString('utf8'), request.series) };
  if (request.path.endsWith('/infer'))
    return { status: res.status, body: inferText(raw, res.headers.get('inference-header-content-length')) };
  return { status: res.status, body: jsonText(raw.toString('utf8')) };
}
