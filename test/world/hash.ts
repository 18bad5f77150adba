import { createHash } from 'node:crypto';

/** Content hash of JSON-able inputs; the world's cache key (label `dev.tslim.world.hash`). */
export function contentHash(...parts: unknown[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(typeof part === 'string' ? part : JSON.stringify(part)).update('\0');
  return h.digest('hex').slice(0, 24);
}

export const HASH_LABEL = 'dev.tslim.world.hash';
