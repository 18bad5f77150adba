import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { progress } from './log.js';
import { worldDir } from './paths.js';
import { logTail, recorded, startDetached, stop, waitFor } from './processes.js';

export const REGISTRY_NAME = 'registry';
export const REGISTRY_REPOSITORY = 'nvidia/tritonserver';
/** Usernames: a plain one and a Harbor robot-style one (`$` and `+` must survive every layer). */
const USERNAMES = ['tslim', 'robot$tools+ci'];

export interface RegistryUser {
  username: string;
  password: string;
}

export interface Registry {
  address: string;
  pid: number;
  users: RegistryUser[];
  credentialsFile: string;
  dockerConfig: string;
}

export function registryPort(): number {
  return Number(process.env.TSLIM_WORLD_REGISTRY_PORT ?? 5055);
}

const dir = path.join(worldDir, 'registry');
export const credentialsFile = path.join(worldDir, 'registry-credentials.json');
export const dockerConfigDir = path.join(worldDir, 'docker-config');

/** Random passwords, made once and kept (tests and docker configs may have copies). */
async function users(): Promise<RegistryUser[]> {
  const saved = JSON.parse(await readFile(credentialsFile, 'utf8').catch(() => '[]')) as RegistryUser[];
  const out = USERNAMES.map(
    (username) =>
      saved.find((u) => u.username === username) ?? { username, password: randomBytes(18).toString('base64url') },
  );
  await writeFile(credentialsFile, JSON.stringify(out, null, 2) + '\n', { mode: 0o600 });
  await chmod(credentialsFile, 0o600);
  return out;
}

async function status(address: string, auth?: RegistryUser): Promise<number> {
  const headers: Record<string, string> = auth ? { Authorization: basic(auth) } : {};
  const res = await fetch(`http://${address}/v2/`, { headers, signal: AbortSignal.timeout(1000) });
  return res.status;
}

export function basic(user: RegistryUser): string {
  return `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
}

/**
 * Debian's docker-registry (distribution 2.8) on 127.0.0.1 with bcrypt htpasswd auth over plain
 * HTTP: the registry does not insist on TLS for htpasswd, and the engine treats 127.0.0.0/8 as an
 * insecure registry, so no certificate is needed.
 */
export async function ensureRegistry(): Promise<Registry> {
  const port = registryPort();
  const address = `127.0.0.1:${port}`;
  await mkdir(path.join(dir, 'storage'), { recursive: true });
  const creds = await users();
  const htpasswd =
    creds
      .map((u) => execFileSync('htpasswd', ['-nbB', u.username, u.password], { encoding: 'utf8' }).trim())
      .join('\n') + '\n';
  const config = [
    'version: 0.1',
    'log: { level: info, accesslog: { disabled: false } }',
    `storage: { filesystem: { rootdirectory: ${JSON.stringify(path.join(dir, 'storage'))} }, delete: { enabled: true } }`,
    `http: { addr: "${address}", secret: "tslim-world" }`,
    `auth: { htpasswd: { realm: tslim-world, path: ${JSON.stringify(path.join(dir, 'htpasswd'))} } }`,
    '',
  ].join('\n');
  const running = await recorded(REGISTRY_NAME);
  // bcrypt salts differ per run, so compare on the users, not the htpasswd bytes.
  const key = JSON.stringify({ config, creds });
  const base = { address, users: creds, credentialsFile, dockerConfig: dockerConfigDir };
  if (running?.config === key && (await status(address).catch(() => 0)) === 401) {
    progress(`registry up on ${address} (pid ${running.pid})`);
    await writeDockerConfig(address, creds);
    return { ...base, pid: running.pid };
  }
  await stop(REGISTRY_NAME);
  if ((await status(address).catch(() => 0)) !== 0) {
    throw new Error(
      `port ${port} is taken by a process the world did not start; free it or set TSLIM_WORLD_REGISTRY_PORT`,
    );
  }
  await writeFile(path.join(dir, 'htpasswd'), htpasswd, { mode: 0o600 });
  await writeFile(path.join(dir, 'config.yml'), config);
  const rec = await startDetached(REGISTRY_NAME, 'docker-registry', ['serve', path.join(dir, 'config.yml')], key);
  if (!(await waitFor(async () => (await status(address)) === 401, 15_000))) {
    throw new Error(`registry did not answer on ${address}:\n${await logTail(REGISTRY_NAME)}`);
  }
  progress(`registry started on ${address} (pid ${rec.pid})`);
  await writeDockerConfig(address, creds);
  return { ...base, pid: rec.pid };
}

/** A DOCKER_CONFIG directory whose config.json logs in as the first user. */
async function writeDockerConfig(address: string, creds: RegistryUser[]): Promise<void> {
  const user = creds[0]!;
  await mkdir(dockerConfigDir, { recursive: true, mode: 0o700 });
  const auth = Buffer.from(`${user.username}:${user.password}`).toString('base64');
  await writeFile(
    path.join(dockerConfigDir, 'config.json'),
    JSON.stringify({ auths: { [address]: { auth } } }, null, 2) + '\n',
    { mode: 0o600 },
  );
}

/**
 * Frees the blobs no tag reaches (benches push GBs and delete their tags): stops the registry,
 * runs distribution's garbage-collect with --delete-untagged on its storage, starts it again.
 */
export async function collectGarbage(): Promise<{ freedBytes: number }> {
  const storage = path.join(dir, 'storage');
  const size = (): number => Number(execFileSync('du', ['-sb', storage], { encoding: 'utf8' }).split('\t')[0]);
  const before = size();
  await stop(REGISTRY_NAME);
  execFileSync('docker-registry', ['garbage-collect', '--delete-untagged', path.join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await ensureRegistry();
  const freedBytes = before - size();
  progress(`registry garbage-collect freed ${(freedBytes / 1e9).toFixed(2)} GB`);
  return { freedBytes };
}
