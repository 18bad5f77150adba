import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { contentHash } from './hash.js';
import { progress } from './log.js';
import { worldDir, worldSrcDir } from './paths.js';
import { logTail, recorded, startDetached, stop, waitFor } from './processes.js';
import type { HarborWorld, HarborAccount } from './world-types.js';

export const TOKEN_REGISTRY_NAME = 'token-registry';
export const HARBOR_NAME = 'harbor';
export const HARBOR_SERVICE = 'harbor-registry';
export const HARBOR_ISSUER = 'harbor-token-issuer';
/** Harbor's default token lifetime (30 min); TSLIM_WORLD_TOKEN_TTL or POST /_world/token-lifetime shorten it. */
export const TOKEN_LIFETIME_S = 1800;
/** nginx's default client_max_body_size (1m), the limit that bites real Harbor pushes behind an ingress. */
export const INGRESS_MAX_BODY = 1024 * 1024;

const port = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const dir = path.join(worldDir, 'token-registry');
export const harborCredentialsFile = path.join(worldDir, 'harbor-credentials.json');

/** Projects: triton and tools are private, library public (anyone pulls). */
const PROJECTS = [
  { id: 1, name: 'library', public: true, created: '2026-01-01T00:00:00.000Z' },
  { id: 2, name: 'triton', public: false, created: '2026-01-01T00:00:00.000Z' },
  { id: 3, name: 'tools', public: false, created: '2026-01-01T00:00:00.000Z' },
  // nvcr.io's namespace: with --registry-mirror nvcr.io=<address>, nvcr.io/nvidia/X is pulled as nvidia/X here
  { id: 4, name: 'nvidia', public: false, created: '2026-01-01T00:00:00.000Z' },
];
/** A project admin, a robot that pushes, a robot that may only pull (Harbor's robot$<project>+<name>). */
const ACCOUNTS: Omit<HarborAccount, 'password'>[] = [
  {
    username: 'tslim',
    permissions: {
      library: ['pull', 'push'],
      triton: ['pull', 'push'],
      tools: ['pull', 'push'],
      nvidia: ['pull', 'push'],
    },
  },
  { username: 'robot$triton+ci', permissions: { triton: ['pull', 'push'] } },
  { username: 'robot$triton+pull', permissions: { triton: ['pull'] } },
  // NGC's scheme: the fixed user $oauthtoken, the password an NGC API key (world-made, nvapi-...)
  { username: '$oauthtoken', permissions: { nvidia: ['pull'] } },
];

async function accounts(): Promise<HarborAccount[]> {
  const saved = JSON.parse(await readFile(harborCredentialsFile, 'utf8').catch(() => '[]')) as HarborAccount[];
  const out = ACCOUNTS.map((a) => ({
    ...a,
    password:
      saved.find((s) => s.username === a.username)?.password ??
      `${a.username === '$oauthtoken' ? 'nvapi-' : ''}${randomBytes(18).toString('base64url')}`,
  }));
  await writeFile(harborCredentialsFile, JSON.stringify(out, null, 2) + '\n', { mode: 0o600 });
  await chmod(harborCredentialsFile, 0o600);
  return out;
}

/** The issuer's RSA key and the self-signed certificate the registry trusts (rootcertbundle); made once. */
async function signingKey(): Promise<{ keyFile: string; certFile: string }> {
  const keyFile = path.join(dir, 'token-key.pem');
  const certFile = path.join(dir, 'token-cert.pem');
  const have = await access(keyFile).then(
    () => access(certFile).then(() => true),
    () => false,
  );
  if (!have) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '3650',
        '-subj',
        `/CN=${HARBOR_ISSUER}`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
  }
  await chmod(keyFile, 0o600);
  return { keyFile, certFile };
}

async function status(url: string): Promise<number> {
  return (await fetch(url, { signal: AbortSignal.timeout(1000) })).status;
}

async function ensureProcess(
  name: string,
  probe: () => Promise<boolean>,
  key: string,
  start: () => Promise<number>,
): Promise<number> {
  const running = await recorded(name);
  if (running?.config === key && (await probe().catch(() => false))) return running.pid;
  await stop(name);
  if (await probe().catch(() => false))
    throw new Error(`the port of ${name} is taken by a process the world did not start`);
  const pid = await start();
  if (!(await waitFor(probe, 15_000))) throw new Error(`${name} did not answer:\n${await logTail(name)}`);
  return pid;
}

/**
 * The token-auth side of the world: Debian's docker-registry (distribution 2.8) with `auth: token`
 * on 127.0.0.1:5057, and the Harbor double (Node) on 5058 (token service, Harbor API v2.0, /v2/
 * forwarded to the registry) and its ingress with nginx's 1m body limit on 5059. Leaves the
 * Basic-auth registry on 5055 alone.
 */
export async function ensureHarborWorld(): Promise<{ world: HarborWorld; pids: Record<string, number> }> {
  const registryAddress = `127.0.0.1:${port('TSLIM_WORLD_TOKEN_REGISTRY_PORT', 5057)}`;
  const harborPort = port('TSLIM_WORLD_HARBOR_PORT', 5058);
  const ingressPort = port('TSLIM_WORLD_INGRESS_PORT', 5059);
  const harbor = `127.0.0.1:${harborPort}`;
  const lifetime = port('TSLIM_WORLD_TOKEN_TTL', TOKEN_LIFETIME_S);
  const realm = `http://${harbor}/service/token`;
  await mkdir(path.join(dir, 'storage'), { recursive: true });
  const { keyFile, certFile } = await signingKey();
  const users = await accounts();

  const registryConfig = [
    'version: 0.1',
    'log: { level: info, accesslog: { disabled: false } }',
    `storage: { filesystem: { rootdirectory: ${JSON.stringify(path.join(dir, 'storage'))} }, delete: { enabled: true } }`,
    `http: { addr: "${registryAddress}", secret: "tslim-world-token" }`,
    `auth: { token: { realm: "${realm}", service: ${HARBOR_SERVICE}, issuer: ${HARBOR_ISSUER}, rootcertbundle: ${JSON.stringify(certFile)} } }`,
    '',
  ].join('\n');
  const registryPid = await ensureProcess(
    TOKEN_REGISTRY_NAME,
    async () => (await status(`http://${registryAddress}/v2/`)) === 401,
    registryConfig,
    async () => {
      await writeFile(path.join(dir, 'config.yml'), registryConfig);
      return (
        await startDetached(
          TOKEN_REGISTRY_NAME,
          'docker-registry',
          ['serve', path.join(dir, 'config.yml')],
          registryConfig,
        )
      ).pid;
    },
  );

  const harborConfig = {
    registry: registryAddress,
    harborPort,
    ingressPort,
    service: HARBOR_SERVICE,
    issuer: HARBOR_ISSUER,
    keyFile,
    lifetimeSeconds: lifetime,
    ingressMaxBodyBytes: INGRESS_MAX_BODY,
    projects: PROJECTS,
    accounts: users,
  };
  const configFile = path.join(dir, 'harbor.json');
  const serverDir = path.join(worldSrcDir, 'harbor');
  // the pid record (restart when it changes) names the accounts, not their passwords: those stay in 0600 files
  const sources = await Promise.all(
    (await readdir(serverDir)).sort().map((f) => readFile(path.join(serverDir, f), 'utf8')),
  );
  const key = JSON.stringify({
    ...harborConfig,
    accounts: users.map((u) => u.username),
    code: contentHash(...sources),
  });
  const harborPid = await ensureProcess(
    HARBOR_NAME,
    async () =>
      (await status(`http://${harbor}/api/v2.0/health`)) === 200 &&
      (await status(`http://127.0.0.1:${ingressPort}/api/v2.0/health`)) === 200,
    key,
    async () => {
      await writeFile(configFile, JSON.stringify(harborConfig, null, 2) + '\n', { mode: 0o600 });
      await chmod(configFile, 0o600);
      return (await startDetached(HARBOR_NAME, process.execPath, [path.join(serverDir, 'server.mjs'), configFile], key))
        .pid;
    },
  );
  progress(`token registry on ${registryAddress} (pid ${registryPid}), Harbor double on ${harbor} (pid ${harborPid})`);
  return {
    world: {
      address: registryAddress,
      harbor,
      ingress: `127.0.0.1:${ingressPort}`,
      realm,
      service: HARBOR_SERVICE,
      issuer: HARBOR_ISSUER,
      tokenLifetimeSeconds: lifetime,
      ingressMaxBodyBytes: INGRESS_MAX_BODY,
      control: `http://${harbor}/_world`,
      projects: PROJECTS.map((p) => ({ name: p.name, public: p.public })),
      users,
      credentialsFile: harborCredentialsFile,
    },
    pids: { tokenRegistry: registryPid, harbor: harborPid },
  };
}
