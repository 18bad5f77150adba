import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { progress } from './log.js';
import { httpRoot, worldSrcDir } from './paths.js';
import { logTail, recorded, startDetached, stop, waitFor } from './processes.js';

export const HTTP_NAME = 'http';

export function httpPort(): number {
  return Number(process.env.TSLIM_WORLD_HTTP_PORT ?? 5056);
}

async function answers(port: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}/.tslim-world-ping`, { signal: AbortSignal.timeout(1000) });
  return res.status === 404 || res.ok;
}

/** The static server for apt repos and the pip index, on 127.0.0.1:<port>; reused when already up. */
export async function ensureHttpServer(): Promise<number> {
  const port = httpPort();
  const config = JSON.stringify({ root: httpRoot, port, v: 1 });
  await mkdir(httpRoot, { recursive: true });
  const running = await recorded(HTTP_NAME);
  if (running?.config === config && (await answers(port).catch(() => false))) {
    progress(`static server up on 127.0.0.1:${port} (pid ${running.pid})`);
    return running.pid;
  }
  await stop(HTTP_NAME);
  if (await answers(port).catch(() => false)) {
    throw new Error(`port ${port} is taken by a process the world did not start; free it or set TSLIM_WORLD_HTTP_PORT`);
  }
  const rec = await startDetached(
    HTTP_NAME,
    process.execPath,
    [path.join(worldSrcDir, 'static-server.mjs'), httpRoot, String(port)],
    config,
  );
  if (!(await waitFor(() => answers(port), 10_000))) {
    throw new Error(`static server did not answer on 127.0.0.1:${port}:\n${await logTail(HTTP_NAME)}`);
  }
  progress(`static server started on 127.0.0.1:${port} (pid ${rec.pid})`);
  return rec.pid;
}
