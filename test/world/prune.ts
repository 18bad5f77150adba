import type Docker from 'dockerode';
import { progress } from './log.js';

/** Image ids behind the world's tags now, so the ids a rebuild replaces can be removed afterwards. */
export async function snapshotIds(engine: Docker, tags: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const tag of tags) {
    const id = await engine
      .getImage(tag)
      .inspect()
      .then(
        (i) => i.Id,
        () => undefined,
      );
    if (id) ids.set(tag, id);
  }
  return ids;
}

/**
 * Removes images the world replaced (a rebuilt base is ~1 GB). Children first, so `tags` should
 * run full -> min -> base; an image still used by a container or another tag stays.
 */
export async function pruneReplaced(engine: Docker, before: Map<string, string>, tags: string[]): Promise<void> {
  const now = await snapshotIds(engine, tags);
  for (const tag of tags) {
    const old = before.get(tag);
    if (!old || old === now.get(tag)) continue;
    await engine
      .getImage(old)
      .remove()
      .then(
        () => progress(`removed replaced image ${old.slice(7, 19)} (was ${tag})`),
        () => undefined,
      );
  }
}
