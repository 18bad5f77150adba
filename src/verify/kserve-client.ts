/** A small KServe v2 (Triton HTTP/REST) client over fetch: health, readiness, repository index, JSON inference. */

export interface InferTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: number[];
}

export interface OutputTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

export interface InferRequestBody {
  id?: string;
  inputs: InferTensor[];
  outputs: { name: string }[];
}

export interface InferResponseBody {
  model_name: string;
  model_version?: string;
  outputs: OutputTensor[];
}

/** One row of POST /v2/repository/index: Triton adds state and reason for models it tried to load. */
export interface RepositoryEntry {
  name: string;
  version?: string;
  state?: string;
  reason?: string;
}

/** A non-2xx answer, with the server's `{"error": "..."}` text when it sent one. */
export class KServeError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'KServeError';
    this.status = status;
  }
}

export interface KServeClientOptions {
  signal?: AbortSignal;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
}

/** The body of POST /v2/models/{m}/infer for JSON tensors (binary extension not used). */
export function inferRequest(inputs: InferTensor[], outputNames: readonly string[], id?: string): InferRequestBody {
  return { ...(id === undefined ? {} : { id }), inputs, outputs: outputNames.map((name) => ({ name })) };
}

export class KServeClient {
  readonly baseUrl: string;
  readonly #options: KServeClientOptions;

  constructor(baseUrl: string, options: KServeClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#options = options;
  }

  /** True on 200; false on any other status or when nothing answers (the server may still be starting). */
  async live(): Promise<boolean> {
    return this.#probe('/v2/health/live');
  }

  async ready(): Promise<boolean> {
    return this.#probe('/v2/health/ready');
  }

  async modelReady(model: string): Promise<boolean> {
    return this.#probe(`/v2/models/${encodeURIComponent(model)}/ready`);
  }

  async repositoryIndex(): Promise<RepositoryEntry[]> {
    return (await this.#json('POST', '/v2/repository/index', {})) as RepositoryEntry[];
  }

  async serverMetadata(): Promise<{ name?: string; version?: string; extensions?: string[] }> {
    return (await this.#json('GET', '/v2')) as { name?: string; version?: string };
  }

  async infer(model: string, body: InferRequestBody): Promise<InferResponseBody> {
    return (await this.#json('POST', `/v2/models/${encodeURIComponent(model)}/infer`, body)) as InferResponseBody;
  }

  /** GET /v2/models/M: name, versions, platform, inputs and outputs (datatype, shape with -1). */
  async modelMetadata(model: string): Promise<unknown> {
    return this.#json('GET', `/v2/models/${encodeURIComponent(model)}`);
  }

  /** GET /v2/models/M/config: the configuration the server runs the model with (auto-completed). */
  async modelConfig(model: string): Promise<unknown> {
    return this.#json('GET', `/v2/models/${encodeURIComponent(model)}/config`);
  }

  /** POST /v2/repository/models/M/load (explicit model control); a refusal throws KServeError with the reason. */
  async loadModel(model: string): Promise<void> {
    await this.#json('POST', `/v2/repository/models/${encodeURIComponent(model)}/load`, {});
  }

  /** POST /v2/models/M/infer with a ready body (JSON or the binary extension); the raw answer. */
  async inferRaw(
    model: string,
    body: Buffer,
    headerLength?: number,
  ): Promise<{ body: Buffer; headerLength: number | undefined }> {
    const path = `/v2/models/${encodeURIComponent(model)}/infer`;
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (headerLength !== undefined) headers['inference-header-content-length'] = String(headerLength);
    const res = await fetch(`${this.baseUrl}${path}`, { method: 'POST', signal: this.#signal(), body, headers });
    const raw = Buffer.from(await res.arrayBuffer());
    if (!res.ok)
      throw new KServeError(res.status, `POST ${path}: HTTP ${res.status}: ${errorText(raw.toString('utf8'))}`);
    const length = res.headers.get('inference-header-content-length');
    return { body: raw, headerLength: length === null ? undefined : Number(length) };
  }

  #signal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.#options.timeoutMs ?? 30_000);
    return this.#options.signal ? AbortSignal.any([this.#options.signal, timeout]) : timeout;
  }

  async #probe(path: string): Promise<boolean> {
    this.#options.signal?.throwIfAborted();
    try {
      const res = await fetch(`${this.baseUrl}${path}`, { signal: this.#signal() });
      await res.arrayBuffer();
      return res.status === 200;
    } catch (cause) {
      this.#options.signal?.throwIfAborted();
      if (isConnectionFailure(cause)) return false;
      throw cause;
    }
  }

  async #json(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      signal: this.#signal(),
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    if (!res.ok) throw new KServeError(res.status, `${method} ${path}: HTTP ${res.status}: ${errorText(text)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new KServeError(
        res.status,
        `${method} ${path}: the server answered with something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }
}

function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: show the text
  }
  return text.slice(0, 300) || '(empty body)';
}

/** fetch() failures that mean "nothing listens yet" or "the connection dropped", not a protocol error. */
export function isConnectionFailure(cause: unknown): boolean {
  if (!(cause instanceof Error)) return false;
  if (cause.name === 'TimeoutError') return true;
  const code = (cause.cause as { code?: string } | undefined)?.code;
  return cause.name === 'TypeError' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
}

/** GET the Prometheus text of Triton's metrics endpoint. */
export async function fetchMetrics(metricsUrl: string, signal?: AbortSignal): Promise<string> {
  const timeout = AbortSignal.timeout(10_000);
  const res = await fetch(metricsUrl, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  const text = await res.text();
  if (!res.ok) throw new KServeError(res.status, `GET ${metricsUrl}: HTTP ${res.status}`);
  return text;
}

/** Per-GPU values of one Prometheus gauge, keyed by the gpu_uuid label (e.g. nv_gpu_memory_used_bytes). */
export function parseGpuGauge(text: string, metric = 'nv_gpu_memory_used_bytes'): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m?.[1] !== metric) continue;
    const uuid = /gpu_uuid="([^"]*)"/.exec(m[2] ?? '')?.[1] ?? '';
    const value = Number(m[3]);
    if (Number.isFinite(value)) values.set(uuid, value);
  }
  return values;
}
