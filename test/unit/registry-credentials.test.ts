import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeKey, resolveAuth } from '../../src/registry/credentials.js';
import { TslimError } from '../../src/core/errors.js';

const HOST = '127.0.0.1:5055';
const ROBOT = 'robot$tools+ci';
let dir: string;

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

async function configDir(name: string, config: unknown): Promise<string> {
  const d = join(dir, name);
  await mkdir(d, { recursive: true });
  await writeFile(join(d, 'config.json'), JSON.stringify(config));
  return d;
}

/** A credential helper written in node: answers for HOST only, logs what it was asked. */
async function writeHelper(name: string, username: string, secret: string): Promise<string> {
  const bin = join(dir, `bin-${name}`);
  await mkdir(bin, { recursive: true });
  const path = join(bin, `docker-credential-${name}`);
  const script = `#!/usr/bin/env node
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  if (process.argv[2] !== 'get') process.exit(3);
  if (input.trim() !== ${JSON.stringify(HOST)}) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); }
  process.stdout.write(JSON.stringify({ ServerURL: input.trim(), Username: ${JSON.stringify(username)}, Secret: ${JSON.stringify(secret)} }));
});
`;
  await writeFile(path, script);
  await chmod(path, 0o755);
  return bin;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tslim-cred-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveAuth', () => {
  it('prefers explicit username/password over everything', async () => {
    const d = await configDir('explicit', { auths: { [HOST]: { auth: b64('other:x') } } });
    const env = { DOCKER_CONFIG: d, TSLIM_REGISTRY_USERNAME: 'envuser', TSLIM_REGISTRY_PASSWORD: 'envpw' };
    await expect(resolveAuth(HOST, { username: ROBOT, password: 'p$w:d', env })).resolves.toEqual({
      username: ROBOT,
      password: 'p$w:d',
      serveraddress: HOST,
    });
  });

  it('rejects a username without a password as a usage error', async () => {
    const error = await resolveAuth(HOST, { username: 'u', env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TslimError);
    expect((error as TslimError).code).toBe('USAGE');
  });

  it('uses TSLIM_REGISTRY_* before config.json', async () => {
    const d = await configDir('env', { auths: { [HOST]: { auth: b64('other:x') } } });
    const env = { DOCKER_CONFIG: d, TSLIM_REGISTRY_USERNAME: ROBOT, TSLIM_REGISTRY_PASSWORD: 'pw' };
    await expect(resolveAuth(HOST, { env })).resolves.toEqual({ username: ROBOT, password: 'pw', serveraddress: HOST });
  });

  it.each([HOST, `https://${HOST}`, `http://${HOST}/v1/`, `HTTPS://${HOST}/`])(
    'reads auths written as %s, robot user intact',
    async (key) => {
      const d = await configDir(`auths-${normalizeKey(key)}-${key.length}`, {
        auths: { [key]: { auth: b64(`${ROBOT}:a:b$c`) } },
      });
      await expect(resolveAuth(HOST, { env: { DOCKER_CONFIG: d } })).resolves.toEqual({
        username: ROBOT,
        password: 'a:b$c',
        serveraddress: HOST,
      });
    },
  );

  it('returns undefined for an unknown host or no config', async () => {
    const d = await configDir('other-host', { auths: { 'registry.example:5000': { auth: b64('u:p') } } });
    await expect(resolveAuth(HOST, { env: { DOCKER_CONFIG: d } })).resolves.toBeUndefined();
    await expect(resolveAuth(HOST, { env: { DOCKER_CONFIG: join(dir, 'missing') } })).resolves.toBeUndefined();
  });

  it('asks credHelpers[host] through the helper executable, no shell', async () => {
    const bin = await writeHelper('tslimtest', ROBOT, 'se cret$(touch /tmp/pwned)');
    const d = await configDir('helper', {
      credHelpers: { [HOST]: 'tslimtest' },
      auths: { [HOST]: { auth: b64('fallback:x') } },
    });
    const env = { DOCKER_CONFIG: d, PATH: `${bin}:${process.env.PATH ?? ''}` };
    await expect(resolveAuth(HOST, { env })).resolves.toEqual({
      username: ROBOT,
      password: 'se cret$(touch /tmp/pwned)',
      serveraddress: HOST,
    });
  });

  it('asks credsStore and falls back to auths when the helper has nothing', async () => {
    const bin = await writeHelper('tslimstore', 'tslim', 'pw');
    const d = await configDir('store', { credsStore: 'tslimstore', auths: { 'other:1': { auth: b64('fallback:x') } } });
    const env = { DOCKER_CONFIG: d, PATH: `${bin}:${process.env.PATH ?? ''}` };
    await expect(resolveAuth(HOST, { env })).resolves.toEqual({
      username: 'tslim',
      password: 'pw',
      serveraddress: HOST,
    });
    await expect(resolveAuth('other:1', { env })).resolves.toEqual({
      username: 'fallback',
      password: 'x',
      serveraddress: 'other:1',
    });
  });

  it('fails clearly when the configured helper is not installed', async () => {
    const d = await configDir('nohelper', { credsStore: 'does-not-exist-xyz' });
    const error = await resolveAuth(HOST, { env: { DOCKER_CONFIG: d, PATH: '/nonexistent' } }).catch((e: unknown) => e);
    expect((error as TslimError).code).toBe('REGISTRY_AUTH');
    expect((error as TslimError).message).toContain('docker-credential-does-not-exist-xyz');
  });

  it('matches Docker Hub aliases to the index key', async () => {
    const d = await configDir('hub', { auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:hubpw') } } });
    await expect(resolveAuth('docker.io', { env: { DOCKER_CONFIG: d } })).resolves.toEqual({
      username: 'hubuser',
      password: 'hubpw',
      serveraddress: 'https://index.docker.io/v1/',
    });
  });

  it('rejects a malformed auth entry with a hint', async () => {
    const d = await configDir('bad', { auths: { [HOST]: { auth: b64('nocolon') } } });
    const error = await resolveAuth(HOST, { env: { DOCKER_CONFIG: d } }).catch((e: unknown) => e);
    expect((error as TslimError).code).toBe('REGISTRY_AUTH');
    expect((error as TslimError).hint).toContain('docker login');
  });
});
