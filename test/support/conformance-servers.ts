import { join } from 'node:path';
import { RUN_LABEL } from '../../src/core/labels.js';
import { worldEngine } from '../world/engine.js';
import { worldSrcDir } from '../world/paths.js';
import { freePort, logs, startFixture, type FixtureContainer } from '../world/run-fixture.js';
import type { Ports } from './conformance-normalise.js';

/** Where the conformance repository appears in both containers. */
export const MOUNT = '/conformance/models';

export interface ConformanceServer {
  image: string;
  ports: Ports;
  fixture: FixtureContainer;
  logs(): Promise<string>;
}

/**
 * Binds that put this checkout's double (test/world/double/triton_double) over the image's copy, so
 * the suite holds the double's source to the real server even when the fixture image predates it
 * (a warm world rebuilds the image from the same files). `other` (TSLIM_CONFORMANCE_DOUBLE) names
 * another copy of the package, e.g. one exported from an earlier commit, to count its differences.
 */
export function doubleSourceBinds(other?: string): string[] {
  const source = other || join(worldSrcDir, 'double', 'triton_double');
  return [`${source}:/opt/tritonserver/bin/triton_double:ro`];
}

/** Removes every container of this run (a server that failed to start included). */
export async function removeContainersByLabel(runId: string): Promise<void> {
  const engine = worldEngine();
  const list = await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
  await Promise.all(
    list.map((c) =>
      engine
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

/** True when the image exists in the world's engine. */
export async function imageExists(image: string): Promise<boolean> {
  try {
    await worldEngine().getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts tritonserver (the image's entrypoint, `tritonserver ...` as its command, as tslim verify
 * starts it) on host networking with free 127.0.0.1 ports, explicit model control and nothing loaded;
 * resolves once /v2/health/live and /ready answer 200.
 */
export async function startServer(
  image: string,
  repository: string,
  runId: string,
  binds: readonly string[] = [],
): Promise<ConformanceServer> {
  const ports = { http: await freePort(), metrics: await freePort() };
  const cmd = [
    'tritonserver',
    `--model-repository=${MOUNT}`,
    '--model-control-mode=explicit',
    '--exit-on-error=false',
    '--http-address=127.0.0.1',
    '--metrics-address=127.0.0.1',
    `--http-port=${ports.http}`,
    `--metrics-port=${ports.metrics}`,
    '--allow-grpc=false',
  ];
  const fixture = await startFixture(image, cmd, runId, {
    Labels: { [RUN_LABEL]: runId, 'dev.tslim.role': 'double-conformance' },
    HostConfig: { NetworkMode: 'host', Binds: [`${repository}:${MOUNT}:ro`, ...binds], ShmSize: 256 * 1024 * 1024 },
  });
  const server = { image, ports, fixture, logs: () => logs(fixture.container) };
  try {
    await untilReady(server);
    return server;
  } catch (cause) {
    await fixture[Symbol.asyncDispose]();
    throw cause;
  }
}

async function untilReady(server: ConformanceServer): Promise<void> {
  const { image, ports, fixture } = server;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const state = await fixture.container.inspect();
    if (!state.State.Running)
      throw new Error(
        `${image}: tritonserver exited ${state.State.ExitCode} before it answered; its log:\n${await server.logs()}`,
      );
    try {
      // live, then ready (nothing is loaded, so ready follows at once): the metrics service is up by then
      const live = await fetch(`http://127.0.0.1:${ports.http}/v2/health/live`, { signal: AbortSignal.timeout(2000) });
      const ready = await fetch(`http://127.0.0.1:${ports.http}/v2/health/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      if (live.status === 200 && ready.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${image}: tritonserver was not live and ready within 120 s; its log:\n${await server.logs()}`);
}
