import type { Engine } from '../docker/engine.js';
import { removeImage, tagImage } from '../docker/images.js';

/** `repo:tag` -> `repo:tag-untrimmed` (`repo` alone means `repo:latest`). */
export function untrimmedTag(tag: string): string {
  const slash = tag.lastIndexOf('/');
  const colon = tag.lastIndexOf(':');
  return colon > slash ? `${tag}-untrimmed` : `${tag}:latest-untrimmed`;
}

/**
 * After the trimmed image verified: the compose's tag moves to it, and the untrimmed image keeps
 * `<tag>-untrimmed` (so both stay for comparison; `docker rmi` that tag to reclaim the space).
 */
export async function adoptTrimmed(
  engine: Engine,
  tag: string,
  untrimmedId: string,
  trimmedId: string,
): Promise<string> {
  const keep = untrimmedTag(tag);
  await tagImage(engine, untrimmedId, keep);
  await tagImage(engine, trimmedId, tag);
  return keep;
}

/** A trimmed image that failed (verify, Ctrl-C) goes; the untrimmed one keeps its tag. */
export async function discardTrimmed(engine: Engine, trimmedId: string): Promise<void> {
  await removeImage(engine, trimmedId, { force: true }).catch(() => undefined);
}
