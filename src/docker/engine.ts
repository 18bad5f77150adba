import Docker from 'dockerode';
import { TslimError } from '../core/errors.js';

export type Engine = Docker;

export interface EngineOptions {
  /** DOCKER_HOST-style address; default: DOCKER_HOST, else the local socket. */
  host?: string;
}

/** Connects to the engine (DOCKER_HOST or /var/run/docker.sock). Does not touch the network. */
export function connectEngine(options: EngineOptions = {}): Engine {
  const host = options.host ?? process.env.DOCKER_HOST;
  if (!host) return new Docker({ socketPath: '/var/run/docker.sock' });
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({
    host: url.hostname,
    port: Number(url.port || 2375),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
  });
}

/** Pings the engine; a clear error when nothing answers. */
export async function pingEngine(engine: Engine, signal?: AbortSignal): Promise<void> {
  try {
    // dockerode's ping takes options (abortSignal) though its typings list none
    const ping = engine.ping.bind(engine) as (options: { abortSignal?: AbortSignal }) => Promise<unknown>;
    await ping({ abortSignal: signal });
  } catch (cause) {
    throw engineUnreachable(cause);
  }
}

export function engineUnreachable(cause: unknown): TslimError {
  const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  return new TslimError('ENGINE_UNREACHABLE', `no Docker engine answers at ${where}`, {
    cause,
    hint: "start one (`npm run engine` as root starts Debian's dockerd), set DOCKER_HOST, or use --offline for a dry run",
  });
}

/** True for errors that mean the engine socket is not there or refused us. */
export function isConnectionError(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ECONNRESET' || code === 'EPIPE';
}
