/** Every failure tslim reports carries one of these codes; README documents the exit codes. */
export const ERROR_CODES = {
  USAGE: 2,
  ENGINE_UNREACHABLE: 3,
  IMAGE_NOT_FOUND: 4,
  NOT_TRITON: 5,
  BAD_RELEASE: 6,
  BUILD_FAILED: 7,
  VERIFY_FAILED: 8,
  GPU_UNAVAILABLE: 9,
  REGISTRY_AUTH: 10,
  REGISTRY_FAILED: 11,
  TAG_EXISTS: 12,
  THRESHOLD: 13,
  IO: 14,
  ENGINE: 15,
  INTERNAL: 70,
  ABORTED: 130,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface TslimErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Extra machine-readable facts, printed with --json. Never put secrets here. */
  details?: Record<string, unknown>;
}

export class TslimError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: TslimErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TslimError';
    this.code = code;
    this.exitCode = ERROR_CODES[code];
    this.hint = options.hint;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      exitCode: this.exitCode,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function usageError(message: string, hint?: string): TslimError {
  return new TslimError('USAGE', message, hint === undefined ? {} : { hint });
}

export function isTslimError(value: unknown): value is TslimError {
  return value instanceof TslimError;
}

/** Turns anything thrown into a TslimError, keeping the original as cause. */
export function toTslimError(value: unknown): TslimError {
  if (value instanceof TslimError) return value;
  if (isAbortError(value)) return new TslimError('ABORTED', 'interrupted', { cause: value });
  const message = value instanceof Error ? value.message : String(value);
  return new TslimError('INTERNAL', message, { cause: value });
}

export function isAbortError(value: unknown): boolean {
  if (!(value instanceof Error)) return false;
  return value.name === 'AbortError' || (value as { code?: unknown }).code === 'ABORT_ERR';
}
