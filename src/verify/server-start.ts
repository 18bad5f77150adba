import type { Cleanup } from '../core/abort.js';
import { TslimError } from '../core/errors.js';
import type { Engine } from '../docker/engine.js';
import { sleep } from '../core/abort.js';
import { KServeClient } from './kserve-client.js';
import { startServer, type RunningServer, type ServerSpec } from './server-runner.js';

/**
 * Starts the server and waits for it to serve HTTP. The free ports are picked before the server binds
 * them, so another process can take one in between: then the server exits with "already in use" and
 * a new container gets new ports (three tries).
 */
export async function startLive(
  engine: Engine,
  spec: ServerSpec,
  cleanup: Cleanup,
  deadline: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ server: RunningServer; client: KServeClient }> {
  for (let attempt = 1; ; attempt += 1) {
    const server = await startServer(engine, spec, cleanup, signal);
    const client = new KServeClient(server.httpUrl, { signal });
    try {
      await waitLive(client, server, deadline, timeoutMs, signal);
      return { server, client };
    } catch (error) {
      if (attempt >= 3 || !(error instanceof TslimError) || !error.message.includes('already in use')) throw error;
    }
  }
}

async function waitLive(
  client: KServeClient,
  server: RunningServer,
  deadline: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  for (;;) {
    if (await client.live()) return;
    const exit = await server.exitCode();
    if (exit !== undefined) {
      throw new TslimError(
        'VERIFY_FAILED',
        `tritonserver exited (code ${exit}) before it served HTTP; its log ends:\n${await server.logs(25)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new TslimError(
        'VERIFY_FAILED',
        `tritonserver did not answer /v2/health/live within ${Math.round(timeoutMs / 1000)} s; its log ends:\n${await server.logs(25)}`,
        {
          hint: 'raise --timeout for large images or slow model loads',
        },
      );
    }
    await sleep(500, signal);
  }
}
