import type Docker from 'dockerode';
import { connectEngine } from '../../src/docker/engine.js';
import { followStream as followStreamOf, type StreamEvent } from '../../src/docker/json-stream.js';
import { HASH_LABEL } from './hash.js';

/** The engine the world builds on: tslim's own connection (DOCKER_HOST, else the local socket). */
export function worldEngine(): Docker {
  return connectEngine();
}

/** Engine API JSON streams go through tslim's one helper, which rejects on any error line. */
export function followStream(
  stream: NodeJS.ReadableStream,
  what: string,
  onLine?: (line: StreamEvent) => void,
): Promise<StreamEvent[]> {
  return followStreamOf(stream, { what, ...(onLine ? { onEvent: onLine } : {}) });
}

/** The world hash label of a tagged image, or undefined when the tag does not exist. */
export async function imageHash(engine: Docker, tag: string): Promise<string | undefined> {
  try {
    const info = await engine.getImage(tag).inspect();
    return info.Config?.Labels?.[HASH_LABEL] ?? '';
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return undefined;
    throw cause;
  }
}
