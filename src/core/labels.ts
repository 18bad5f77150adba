/** Labels tslim puts on everything it creates, so a sweep can find leftovers. */
export const RUN_LABEL = 'dev.tslim.run';

/** Labels on a composed image: what it holds and what it was made from (verify and report read them). */
export const IMAGE_LABELS = {
  version: 'dev.tslim.version',
  backends: 'dev.tslim.backends',
  repoagents: 'dev.tslim.repoagents',
  caches: 'dev.tslim.caches',
  sourceFull: 'dev.tslim.source.full',
  sourceMin: 'dev.tslim.source.min',
  recipe: 'dev.tslim.recipe',
  tritonVersion: 'dev.tslim.triton-version',
  containerVersion: 'dev.tslim.container-version',
  /** The profile's tritonserver flags, space-separated (only when it has any). */
  serverArgs: 'dev.tslim.server.args',
  /** Bytes of /dev/shm the server needs (`docker run --shm-size`); verify uses it. */
  serverShmSize: 'dev.tslim.server.shm-size',
  /** On a trimmed image: JSON {from, removedBytes, byCategory, layerBytes} (compose --trim; tslim report reads it). */
  trim: 'dev.tslim.trim',
} as const;

export function newRunId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
