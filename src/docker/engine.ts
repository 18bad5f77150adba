import type Docker from 'dockerode';
import { TslimError } from '../core/errors.js';
import { modemOptions } from './connection.js';
import { DEFAULT_HOST, describeEndpoint, resolveEndpoint, type EngineEndpoint } from './endpoint.js';
import { engineFailure } from './engine-failure.js';
import { loadDockerode } from './lazy-deps.js';

export type Engine = Docker;

export interface EngineOptions {
  /** DOCKER_HOST-style address; default: resolveEndpoint() (DOCKER_HOST, docker context, local socket). */
  host?: string;
  /** The environment to resolve from (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, …); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Connects to the engine the docker CLI would use (see endpoint.ts). Does not touch the network.
 * An explicit `host` is taken as DOCKER_HOST (so DOCKER_TLS_VERIFY applies to it, as with `docker -H`).
 */
export function connectEngine(options: EngineOptions = {}): Engine {
  const env = options.env ?? process.env;
  const endpoint: EngineEndpoint = resolveEndpoint(options.host ? { ...env, DOCKER_HOST: options.host } : env);
  const modem = modemOptions(endpoint, env);
  // docker-modem's constructor reads DOCKER_HOST/DOCKER_CERT_PATH itself (lib/modem.js defaultOpts):
  // it reads cert.pem/key.pem unconditionally (throwing when absent, where the CLI goes on without a
  // client certificate) and its SSH_AUTH_SOCK overrides our sshOptions. The endpoint is resolved
  // already, so it constructs without them.
  const saved = { DOCKER_HOST: process.env.DOCKER_HOST, DOCKER_CERT_PATH: process.env.DOCKER_CERT_PATH };
  delete process.env.DOCKER_HOST;
  delete process.env.DOCKER_CERT_PATH;
  try {
    return new (loadDockerode())(modem);
  } finally {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
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
  let endpoint: EngineEndpoint | undefined;
  try {
    endpoint = resolveEndpoint();
  } catch {
    endpoint = undefined;
  }
  const where = endpoint ? describeEndpoint(endpoint) : process.env.DOCKER_HOST || DEFAULT_HOST;
  const failure = endpoint ? engineFailure(endpoint, where, cause) : undefined;
  if (failure) return failure;
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
