import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { progress } from './log.js';
import { worldDir } from './paths.js';
import { isAlive } from './processes.js';

const lockFile = path.join(worldDir, 'up.lock');

/**
 * Runs `fn` holding .world/up.lock. Several vitest runs in one checkout each bring the world up;
 * without the lock two mmdebstrap runs share a work dir and one imports the other's half-written tar.
 * A lock whose pid is gone is stale and taken over.
 */
export async function withWorldLock<T>(fn: () => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(lockFile, 'utf8').catch(() => '0'));
      if (holder && !isAlive(holder)) {
        await rm(lockFile, { force: true });
        continue;
      }
      if (!announced) progress(`waiting for another world build (pid ${holder || '?'}) to finish`);
      announced = true;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}
