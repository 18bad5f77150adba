import { homedir } from 'node:os';
import { join } from 'node:path';

/** tslim's cache directory: TSLIM_CACHE_DIR, else $XDG_CACHE_HOME/tslim, else ~/.cache/tslim. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.TSLIM_CACHE_DIR || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'tslim');
}
