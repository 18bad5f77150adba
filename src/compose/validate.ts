import { usageError } from '../core/errors.js';

/**
 * Allow-lists for every user-provided value that can reach a Dockerfile or a build: anything that
 * could inject Dockerfile text (newlines, spaces, quotes, `$`, backslashes, `..`) is refused before
 * rendering. Values from image metadata go through the same checks.
 */
export const PATTERNS = {
  name: { re: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, says: "letters, digits, '_' and '-' (at most 64)" },
  containerVersion: { re: /^\d{2}\.\d{2}$/, says: 'YY.MM, e.g. 24.09' },
  tritonVersion: { re: /^\d+\.\d+\.\d+$/, says: 'MAJOR.MINOR.PATCH, e.g. 2.50.0' },
  dcgmVersion: { re: /^\d+\.\d+\.\d+(-\d+)?$/, says: 'X.Y.Z or X.Y.Z-N, e.g. 3.2.6 or 4.4.0-1' },
  imageRef: {
    re: /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
    says: 'a Docker image reference (registry/repository:tag)',
  },
  registry: {
    re: /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
    says: 'a registry host[:port][/path]',
  },
  url: {
    re: /^https?:\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?(?:\/[A-Za-z0-9_~+=,-]+(?:\.[A-Za-z0-9_~+=,-]+)*)*\/?$/,
    says: 'an http(s) URL without credentials, spaces, quotes or ..',
  },
  host: { re: /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?$/, says: 'a host name or address' },
  buildArgName: { re: /^[A-Za-z_][A-Za-z0-9_]{0,127}$/, says: 'letters, digits and _' },
  buildArgValue: { re: /^[A-Za-z0-9_.,:/=@+%-]{0,1024}$/, says: 'letters, digits and _ . , : / = @ + % -' },
  /** Build id/ref labels read from an image. */
  labelValue: { re: /^[A-Za-z0-9_.:-]{0,128}$/, says: 'letters, digits and _ . : -' },
} as const;

export type PatternName = keyof typeof PATTERNS;

export function isSafe(kind: PatternName, value: string): boolean {
  return PATTERNS[kind].re.test(value) && !value.includes('..');
}

/** Throws a usage error naming the option and the refused value (JSON-quoted so control chars show). */
export function checkSafe(kind: PatternName, what: string, value: string): string {
  if (isSafe(kind, value)) return value;
  throw usageError(
    `refusing ${what} ${JSON.stringify(value)}: expected ${PATTERNS[kind].says}`,
    'values that reach the Dockerfile are checked against an allow-list so they cannot inject instructions',
  );
}

/** Proxy values never reach the Dockerfile, but must still be one line without spaces. */
export function checkProxy(what: string, value: string): string {
  if (/^[\x21-\x7e]{1,2048}$/.test(value)) return value;
  throw usageError(`refusing ${what}: a proxy setting must be one word of printable characters`);
}
