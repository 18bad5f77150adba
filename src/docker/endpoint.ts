import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TslimError } from '../core/errors.js';
import { tlsFromEnv, type EndpointTls } from './endpoint-tls.js';

export type { EndpointTls } from './endpoint-tls.js';

export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

/** Where the engine address came from, in the docker CLI's order. */
export type EndpointSource = 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'currentContext' | 'default';

export interface EngineEndpoint {
  /** DOCKER_HOST-style address: unix://, tcp://, ssh://. */
  host: string;
  source: EndpointSource;
  /** The docker context it came from (DOCKER_CONTEXT or config.json's currentContext). */
  context?: string;
  /**
   * TLS for a tcp:// engine: DOCKER_TLS_VERIFY/DOCKER_TLS + DOCKER_CERT_PATH with DOCKER_HOST, or the
   * context's files (contexts/tls/<id>/docker/{ca,cert,key}.pem) and SkipTLSVerify.
   */
  tls?: EndpointTls;
}

/** The docker config dir as the docker CLI finds it: $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
}

/**
 * The engine address the docker CLI would use without flags (cli/command/cli.go resolveContextName):
 * DOCKER_HOST wins and means the default context; then DOCKER_CONTEXT; then config.json's
 * currentContext; "default" (or none) is the local socket. A context's metadata lives in
 * contexts/meta/<sha256 of its name>/meta.json under Endpoints.docker.Host.
 */
export function resolveEndpoint(env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const dir = dockerConfigDir(env);
  if (env.DOCKER_HOST) {
    const tls = env.DOCKER_HOST.startsWith('tcp://') ? tlsFromEnv(env, dir) : undefined;
    return { host: env.DOCKER_HOST, source: 'DOCKER_HOST', ...(tls ? { tls } : {}) };
  }
  let name = env.DOCKER_CONTEXT;
  let source: EndpointSource = 'DOCKER_CONTEXT';
  if (!name) {
    name = readCurrentContext(join(dir, 'config.json'));
    source = 'currentContext';
  }
  if (!name || name === 'default') return { host: DEFAULT_HOST, source: 'default' };
  return { ...readContext(dir, name), source, context: name };
}

function readCurrentContext(path: string): string | undefined {
  const config = readJson(path, 'the docker config') as { currentContext?: unknown } | undefined;
  return typeof config?.currentContext === 'string' ? config.currentContext : undefined;
}

function readContext(dir: string, name: string): Pick<EngineEndpoint, 'host' | 'tls'> {
  const id = createHash('sha256').update(name).digest('hex');
  const metaPath = join(dir, 'contexts', 'meta', id, 'meta.json');
  const meta = readJson(metaPath, `docker context '${name}'`) as
    { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } } | undefined;
  const docker = meta?.Endpoints?.docker;
  if (typeof docker?.Host !== 'string' || docker.Host === '') {
    throw new TslimError('USAGE', `docker context '${name}' has no docker endpoint (looked in ${metaPath})`, {
      hint: '`docker context ls` lists the contexts; `docker context use default` or DOCKER_HOST picks another engine',
    });
  }
  const tlsDir = join(dir, 'contexts', 'tls', id, 'docker');
  const file = (f: string): string | undefined => (existsSync(join(tlsDir, f)) ? join(tlsDir, f) : undefined);
  const [ca, cert, key] = [file('ca.pem'), file('cert.pem'), file('key.pem')];
  const skipVerify = docker.SkipTLSVerify === true;
  const tls =
    ca || cert || key || skipVerify
      ? {
          ...(ca ? { ca } : {}),
          ...(cert ? { cert } : {}),
          ...(key ? { key } : {}),
          skipVerify,
          from: `docker context '${name}' (${tlsDir})`,
        }
      : undefined;
  return { host: docker.Host, ...(tls ? { tls } : {}) };
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TslimError('IO', `could not read ${what} (${path}): ${(cause as Error).message}`, { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new TslimError('USAGE', `${what} (${path}) is not valid JSON`, { cause, hint: 'fix it, or set DOCKER_HOST' });
  }
}

/** "unix:///var/run/docker.sock (default)", "tcp://h:2376 (docker context 'remote', currentContext)". */
export function describeEndpoint(endpoint: EngineEndpoint): string {
  switch (endpoint.source) {
    case 'DOCKER_HOST':
      return `${endpoint.host} (DOCKER_HOST)`;
    case 'default':
      return `${endpoint.host} (default socket)`;
    default:
      return `${endpoint.host} (docker context '${endpoint.context ?? ''}' from ${endpoint.source === 'DOCKER_CONTEXT' ? 'DOCKER_CONTEXT' : 'config.json currentContext'})`;
  }
}
