import { createServer } from 'node:net';
import type Docker from 'dockerode';
import { RUN_LABEL } from '../../src/core/labels.js';
import { worldEngine } from './engine.js';

/** A free TCP port on 127.0.0.1 (containers use host networking, so ports are host ports). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  exitCode: number;
  output: string;
}

export interface FixtureContainer {
  container: Docker.Container;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Creates and starts a labelled, host-network container; dispose removes it. */
export async function startFixture(
  image: string,
  cmd: string[],
  runId: string,
  extra: Partial<Docker.ContainerCreateOptions> = {},
): Promise<FixtureContainer> {
  const engine = worldEngine();
  const container = await engine.createContainer({
    Image: image,
    Cmd: cmd,
    Labels: { [RUN_LABEL]: runId },
    ...extra,
    HostConfig: { NetworkMode: 'host', ...extra.HostConfig },
  });
  await container.start();
  return {
    container,
    [Symbol.asyncDispose]: () => container.remove({ force: true }).catch(() => undefined),
  };
}

/** Runs a command to completion; returns exit code and combined output. Always removes the container. */
export async function runFixture(
  image: string,
  cmd: string[],
  runId: string,
  extra: Partial<Docker.ContainerCreateOptions> = {},
): Promise<RunResult> {
  const started = await startFixture(image, cmd, runId, extra);
  try {
    const { StatusCode } = (await started.container.wait()) as { StatusCode: number };
    return { exitCode: StatusCode, output: await logs(started.container) };
  } finally {
    await started[Symbol.asyncDispose]();
  }
}

/** stdout+stderr of a container, demultiplexed to text. */
export async function logs(container: Docker.Container): Promise<string> {
  const raw = await container.logs({ stdout: true, stderr: true, follow: false });
  let out = '';
  for (let i = 0; i + 8 <= raw.length;) {
    const size = raw.readUInt32BE(i + 4);
    out += raw.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return out;
}
