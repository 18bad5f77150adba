import type { Hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { cacheRoot } from '../core/cache-root.js';

/**
 * Facts read from an image's files (os-release, TRITON_VERSION, which components exist, du sizes),
 * kept per image id. An image id is the digest of the image's config, which names its layers'
 * contents, so what a run read from one id holds for every later run: a repeated dry run or inspect
 * of the same images makes no container. Entries also carry tslim's version and FORMAT, so a tslim
 * that reads files differently never trusts another's entries. Best effort both ways: an unreadable
 * or foreign entry is a miss, a failed write is ignored.
 */
export interface FactsCache {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): Promise<void>;
}

const FORMAT = 1;
const VERSION = readVersion();

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return `${pkg.version ?? '?'}/${FORMAT}`;
  } catch {
    return `?/${FORMAT}`;
  }
}

const require = createRequire(import.meta.url);

/** node:crypto is required on first use: it takes ~5 ms to load, and an offline run keys no entry. */
function sha256(text: string): string {
  const crypto = require('node:crypto') as { createHash(algorithm: string): Hash };
  return crypto.createHash('sha256').update(text).digest('hex');
}

/**
 * The cache directory: TSLIM_CACHE_DIR, else $XDG_CACHE_HOME/tslim, else ~/.cache/tslim (facts/ in
 * it). None when TSLIM_NO_CACHE is set (non-empty): every run reads the image again.
 */
export function openFactsCache(env: NodeJS.ProcessEnv = process.env): FactsCache | undefined {
  if (env.TSLIM_NO_CACHE) return undefined;
  const dir = join(cacheRoot(env), 'facts');
  const file = (key: string): string => join(dir, `${sha256(key)}.json`);
  return {
    get<T>(key: string): T | undefined {
      try {
        const entry = JSON.parse(readFileSync(file(key), 'utf8')) as { key?: unknown; version?: unknown; value?: T };
        return entry.key === key && entry.version === VERSION ? entry.value : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key: string, value: unknown): Promise<void> {
      await writeFileAtomic(file(key), `${JSON.stringify({ key, version: VERSION, value })}\n`).catch(() => undefined);
    },
  };
}
