import { isAbortError, TslimError } from '../core/errors.js';
import { sleep } from '../core/abort.js';

export interface RetryOptions {
  /** Total tries, first one included. */
  attempts: number;
  /** First delay; doubles each time, with up to 25 % jitter. */
  baseDelayMs: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Decides whether a failure is worth another try. */
  isTransient?: (error: unknown) => boolean;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

const TRANSIENT_TEXT = [
  /connection reset/i,
  /\bECONNRESET\b/,
  /\bEPIPE\b|broken pipe/i,
  /unexpected EOF|\bEOF\b/,
  /socket hang up/i,
  /i\/o timeout|timed? ?out/i,
  /\bstatus(?: code)?:? (?:408|429|5\d\d)\b/i,
  /\b(?:408|429|500|502|503|504) (?:Request Timeout|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b/i,
  /too many requests|service unavailable|bad gateway|gateway timeout/i,
];

/** Connection drops, timeouts and 408/429/5xx; never auth failures, never aborts, never "exists". */
export function isTransientError(error: unknown): boolean {
  if (isAbortError(error)) return false;
  if (error instanceof TslimError) {
    if (
      error.code === 'ABORTED' ||
      error.code === 'REGISTRY_AUTH' ||
      error.code === 'TAG_EXISTS' ||
      error.code === 'USAGE'
    )
      return false;
    const status = error.details?.status;
    if (typeof status === 'number') return status === 408 || status === 429 || status >= 500;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'UND_ERR_SOCKET') return true;
  const text = collectMessages(error);
  return TRANSIENT_TEXT.some((re) => re.test(text));
}

function collectMessages(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    parts.push(current.message);
    const engine = (current as TslimError).details?.engineMessage;
    if (typeof engine === 'string') parts.push(engine);
    current = current.cause;
  }
  if (parts.length === 0) parts.push(String(error));
  return parts.join(' | ');
}

/** Runs fn until it succeeds, fails for good, or the tries are spent; the last error is rethrown. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const transient = options.isTransient ?? isTransientError;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted || attempt >= options.attempts || !transient(error)) throw error;
      const exp = Math.min(options.baseDelayMs * 2 ** (attempt - 1), options.maxDelayMs ?? 30_000);
      const delayMs = Math.round(exp * (1 + Math.random() * 0.25));
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}
