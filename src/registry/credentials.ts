import type { execFile as ExecFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TslimError, usageError } from '../core/errors.js';

/** What the Engine API wants in X-Registry-Auth and what the distribution client sends as Basic. */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

export interface ResolveAuthOptions {
  /** From --username; needs password (read from stdin by the CLI). */
  username?: string;
  password?: string;
  /** Defaults to process.env; tests pass their own (DOCKER_CONFIG, PATH, HOME). */
  env?: NodeJS.ProcessEnv;
}

/** Environment variables read when no --username is given (docs/push.md). */
export const ENV_USERNAME = 'TSLIM_REGISTRY_USERNAME';
export const ENV_PASSWORD = 'TSLIM_REGISTRY_PASSWORD';

const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const HELPER_TIMEOUT_MS = 30_000;

export interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/**
 * Finds credentials for a registry host in docker's order: explicit options, the TSLIM_REGISTRY_*
 * variables, then $DOCKER_CONFIG/config.json (credHelpers[host], else credsStore, else auths).
 * Undefined means anonymous.
 */
export async function resolveAuth(
  registryHost: string,
  options: ResolveAuthOptions = {},
): Promise<RegistryAuth | undefined> {
  const env = options.env ?? process.env;
  const serveraddress = serverAddress(registryHost);
  if (options.username !== undefined || options.password !== undefined) {
    if (!options.username || options.password === undefined) {
      throw usageError(
        '--username and --password-stdin go together',
        'pipe the password: `printf %s "$PW" | tslim push ... --username USER --password-stdin`',
      );
    }
    return { username: options.username, password: options.password, serveraddress };
  }
  const envUser = env[ENV_USERNAME];
  const envPassword = env[ENV_PASSWORD];
  if (envUser && envPassword !== undefined) return { username: envUser, password: envPassword, serveraddress };

  const configDir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  const config = await readDockerConfig(join(configDir, 'config.json'));
  if (!config) return undefined;

  const helper = lookupHost(config.credHelpers, registryHost) ?? config.credsStore;
  if (helper) {
    const found = await runCredentialHelper(helper, serveraddress, env);
    if (found) return found;
  }
  const entry = lookupHost(config.auths, registryHost);
  if (entry?.auth) return decodeAuth(entry.auth, serveraddress, registryHost);
  if (entry?.username && entry.password !== undefined)
    return { username: entry.username, password: entry.password, serveraddress };
  return undefined;
}

/** The key docker stores a host's credentials under (Docker Hub is special). */
export function serverAddress(registryHost: string): string {
  return DOCKER_HUB_HOSTS.has(normalizeKey(registryHost)) ? DOCKER_HUB_KEY : registryHost;
}

/** `https://host/v1/`, `http://host`, `HOST` -> `host` so config keys written either way match. */
export function normalizeKey(key: string): string {
  const bare = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const host = bare.split('/')[0] ?? bare;
  return host.toLowerCase();
}

function lookupHost<T>(map: Record<string, T> | undefined, registryHost: string): T | undefined {
  if (!map) return undefined;
  const wanted = normalizeKey(registryHost);
  const hub = DOCKER_HUB_HOSTS.has(wanted);
  for (const [key, value] of Object.entries(map)) {
    const k = normalizeKey(key);
    if (k === wanted || (hub && DOCKER_HUB_HOSTS.has(k))) return value;
  }
  return undefined;
}

export async function readDockerConfig(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TslimError('IO', `could not read ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    return JSON.parse(text) as DockerConfig;
  } catch (cause) {
    throw new TslimError('REGISTRY_AUTH', `${path} is not valid JSON`, {
      cause,
      hint: 'fix or remove it, or set DOCKER_CONFIG to another directory',
    });
  }
}

function decodeAuth(auth: string, serveraddress: string, host: string): RegistryAuth {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new TslimError('REGISTRY_AUTH', `the auths entry for ${host} in config.json is not base64 of user:password`, {
      hint: `run \`docker login ${host}\` again`,
    });
  }
  // split at the first colon only: passwords may contain ':'; usernames (robot$p+n) may contain '$' and '+'
  return { username: text.slice(0, colon), password: text.slice(colon + 1), serveraddress };
}

/**
 * Runs `docker-credential-<name> get` without a shell, the server address on stdin, and reads
 * {"Username","Secret"} from stdout. Protocol: github.com/docker/docker-credential-helpers.
 */
export async function runCredentialHelper(
  name: string,
  serveraddress: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RegistryAuth | undefined> {
  const program = `docker-credential-${name}`;
  // required here: node:child_process (~5 ms with net and streams) is not loaded by runs without a helper
  const { execFile } = createRequire(import.meta.url)('node:child_process') as { execFile: typeof ExecFile };
  const { code, stdout, stderr, spawnError } = await new Promise<{
    code: number;
    stdout: string;
    stderr: string;
    spawnError?: NodeJS.ErrnoException;
  }>((resolve) => {
    const child = execFile(
      program,
      ['get'],
      { env, timeout: HELPER_TIMEOUT_MS, maxBuffer: 1 << 20 },
      (error, out, err) => {
        const e = error as (NodeJS.ErrnoException & { code?: unknown }) | null;
        const exit = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
        resolve({
          code: exit,
          stdout: String(out),
          stderr: String(err),
          ...(e && typeof e.code === 'string' ? { spawnError: e } : {}),
        });
      },
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(serveraddress);
  });
  if (spawnError?.code === 'ENOENT') {
    throw new TslimError('REGISTRY_AUTH', `credential helper ${program} (from config.json) is not on PATH`, {
      hint: 'install it, or remove credsStore/credHelpers from config.json',
    });
  }
  if (code !== 0) {
    // the helpers' documented "not found" answer
    if (/credentials not found/i.test(`${stdout}${stderr}`)) return undefined;
    throw new TslimError(
      'REGISTRY_AUTH',
      `credential helper ${program} failed for ${serveraddress}: ${(stderr || stdout).trim() || `exit ${code}`}`,
    );
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
  } catch (cause) {
    throw new TslimError('REGISTRY_AUTH', `credential helper ${program} printed something that is not JSON`, { cause });
  }
  if (typeof parsed.Username !== 'string' || typeof parsed.Secret !== 'string') return undefined;
  if (parsed.Username === '<token>') {
    // an identity token (OAuth refresh token), not a password; tslim only speaks Basic to registries
    throw new TslimError(
      'REGISTRY_AUTH',
      `${program} holds an identity token for ${serveraddress}, which tslim cannot use`,
      {
        hint: `log in with a username and password or set ${ENV_USERNAME}/${ENV_PASSWORD}`,
      },
    );
  }
  return { username: parsed.Username, password: parsed.Secret, serveraddress };
}
