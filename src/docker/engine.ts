import Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { TslimError } from '../core/errors.js';
import { DEFAULT_HOST, describeEndpoint, resolveEndpoint, type EngineEndpoint } from './endpoint.js';

export type Engine = Docker;

export interface EngineOptions {
  /** DOCKER_HOST-style address; default: resolveEndpoint() (DOCKER_HOST, docker context, local socket). */
  host?: string;
}

/**
 * Connects to the engine the docker CLI would use (see endpoint.ts). Does not touch the network.
 * A context's TLS files are passed on; tcp:// without them is plain HTTP, as before.
 */
export function connectEngine(options: EngineOptions = {}): Engine {
  const endpoint: EngineEndpoint = options.host ? { host: options.host, source: 'DOCKER_HOST' } : resolveEndpoint();
  const host = endpoint.host;
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const url = new URL(host.replace(/^tcp:/, endpoint.tls ? 'https:' : 'http:'));
  if (url.protocol === 'ssh:') {
    return new Docker({
      protocol: 'ssh',
      host: url.hostname,
      port: Number(url.port || 22),
      ...(url.username ? { username: url.username } : {}),
    });
  }
  const tls = endpoint.tls;
  return new Docker({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 2376 : 2375)),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    ...(tls?.ca ? { ca: readFileSync(tls.ca) } : {}),
    ...(tls?.cert ? { cert: readFileSync(tls.cert) } : {}),
    ...(tls?.key ? { key: readFileSync(tls.key) } : {}),
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
  let where: string;
  try {
    where = describeEndpoint(resolveEndpoint());
  } catch {
    where = process.env.DOCKER_HOST || DEFAULT_HOST;
  }
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
