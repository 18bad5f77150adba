import { containerLogs, createContainer, removeContainer } from '../../src/docker/containers.js';
import type { Engine } from '../../src/docker/engine.js';

/**
 * Runs a command in the image with no network, labelled with `runId`, and returns the last `lines`
 * lines of its output (the real ld.so's or python's view of a trimmed image); the container goes.
 */
export async function runInImage(
  engine: Engine,
  image: string,
  cmd: string[],
  runId: string,
  lines = 5000,
): Promise<string> {
  const c = await createContainer(
    engine,
    { Image: image, Entrypoint: cmd, HostConfig: { NetworkMode: 'none' } },
    runId,
  );
  try {
    await c.start();
    await c.wait();
    return await containerLogs(c, lines);
  } finally {
    await removeContainer(c);
  }
}
