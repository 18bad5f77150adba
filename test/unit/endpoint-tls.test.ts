import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TslimError } from '../../src/core/errors.js';
import { modemOptions } from '../../src/docker/connection.js';
import { hostKeyCheck, knownHostKeys } from '../../src/docker/known-hosts.js';
import { resolveEndpoint } from '../../src/docker/endpoint.js';
import { connectEngine } from '../../src/docker/engine.js';
import { tempDir } from '../support/temp-dir.js';

async function certDir(files: string[]): Promise<string> {
  const dir = await tempDir('certs');
  await Promise.all(files.map((f) => writeFile(join(dir, f), `not a real ${f}`)));
  return dir;
}

describe('DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH (the docker CLI environment)', () => {
  it('DOCKER_TLS_VERIFY: the three files of DOCKER_CERT_PATH, verified', async () => {
    const dir = await certDir(['ca.pem', 'cert.pem', 'key.pem']);
    const env = { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir };
    expect(resolveEndpoint(env)).toEqual({
      host: 'tcp://127.0.0.1:2376',
      source: 'DOCKER_HOST',
      tls: {
        ca: join(dir, 'ca.pem'),
        cert: join(dir, 'cert.pem'),
        key: join(dir, 'key.pem'),
        skipVerify: false,
        from: `DOCKER_CERT_PATH=${dir}`,
      },
    });
  });

  it('DOCKER_CERT_PATH defaults to the docker config dir; a client certificate is optional', async () => {
    const config = await certDir(['ca.pem']);
    const tls = resolveEndpoint({ DOCKER_HOST: 'tcp://h:1', DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: config }).tls;
    expect(tls).toEqual({ ca: join(config, 'ca.pem'), skipVerify: false, from: `${config} (DOCKER_CERT_PATH unset)` });
  });

  it('DOCKER_TLS alone: TLS without verification; neither variable, or a unix socket: no TLS', async () => {
    const dir = await certDir([]);
    expect(resolveEndpoint({ DOCKER_HOST: 'tcp://h:1', DOCKER_TLS: '1', DOCKER_CERT_PATH: dir }).tls).toEqual({
      skipVerify: true,
      from: `DOCKER_CERT_PATH=${dir}`,
    });
    expect(resolveEndpoint({ DOCKER_HOST: 'tcp://h:1', DOCKER_CERT_PATH: dir }).tls).toBeUndefined();
    expect(
      resolveEndpoint({ DOCKER_HOST: 'unix:///x.sock', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nope' }),
    ).toEqual({ host: 'unix:///x.sock', source: 'DOCKER_HOST' });
  });

  it('a missing dir, a missing ca.pem, a cert without its key: usage errors naming the variable and path', async () => {
    const env = { DOCKER_HOST: 'tcp://h:1', DOCKER_TLS_VERIFY: '1' };
    const noDir = join(await certDir([]), 'gone');
    expect(() => resolveEndpoint({ ...env, DOCKER_CERT_PATH: noDir })).toThrow(
      `DOCKER_TLS_VERIFY is set but DOCKER_CERT_PATH=${noDir} is not a directory`,
    );
    const noCa = await certDir(['cert.pem', 'key.pem']);
    expect(() => resolveEndpoint({ ...env, DOCKER_CERT_PATH: noCa })).toThrow(
      `DOCKER_TLS_VERIFY is set but DOCKER_CERT_PATH=${noCa} has no ca.pem (${join(noCa, 'ca.pem')})`,
    );
    const noKey = await certDir(['ca.pem', 'cert.pem']);
    let thrown: unknown;
    try {
      resolveEndpoint({ ...env, DOCKER_CERT_PATH: noKey });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TslimError);
    expect((thrown as TslimError).exitCode).toBe(2);
    expect((thrown as TslimError).message).toBe(
      `DOCKER_CERT_PATH=${noKey} has cert.pem but no key.pem: a client certificate needs both`,
    );
  });
});

describe('modemOptions', () => {
  it('tcp:// ports default as the docker CLI does: 2376 with TLS, 2375 without; skipVerify gets an agent', async () => {
    const dir = await certDir(['ca.pem']);
    const plain = modemOptions({ host: 'tcp://h', source: 'DOCKER_HOST' }, {});
    expect(plain).toMatchObject({ host: 'h', port: 2375, protocol: 'http' });
    expect(Object.keys(plain)).toContain('ca'); // set (undefined), so docker-modem's env defaults add nothing
    const verified = modemOptions(
      { host: 'tcp://h', source: 'DOCKER_HOST', tls: { ca: join(dir, 'ca.pem'), skipVerify: false, from: 'x' } },
      {},
    );
    expect(verified).toMatchObject({ port: 2376, protocol: 'https', ca: Buffer.from('not a real ca.pem') });
    expect(verified.agent).toBeUndefined();
    const insecure = modemOptions(
      { host: 'tcp://h:9', source: 'DOCKER_HOST', tls: { skipVerify: true, from: 'x' } },
      {},
    );
    expect(insecure.agent).toBeInstanceOf(Agent);
    expect((insecure.agent as Agent).options.rejectUnauthorized).toBe(false);
  });

  it('unix://: the socket, and one keep-alive agent with an empty TLS server name (no per-request IP test)', () => {
    const options = modemOptions({ host: 'unix:///var/run/docker.sock', source: 'DOCKER_HOST' }, {});
    expect(options.socketPath).toBe('/var/run/docker.sock');
    const agent = options.agent as HttpAgent & { options: Record<string, unknown> };
    expect(agent).toBeInstanceOf(HttpAgent);
    expect(agent.options).toMatchObject({ keepAlive: true, servername: '' });
    expect(modemOptions({ host: 'unix:///x', source: 'DOCKER_HOST' }, {}).agent).toBe(agent);
  });

  it('ssh://: user, port 22, the agent socket and the TSLIM_SSH_KEY file', async () => {
    const dir = await certDir(['id']);
    const options = modemOptions(
      { host: 'ssh://deploy@build-host', source: 'DOCKER_HOST' },
      { SSH_AUTH_SOCK: '/run/agent.sock', TSLIM_SSH_KEY: join(dir, 'id') },
    );
    expect(options).toMatchObject({ protocol: 'ssh', host: 'build-host', port: 22, username: 'deploy' });
    expect(options.sshOptions).toEqual({ agent: '/run/agent.sock', privateKey: Buffer.from('not a real id') });
    // no agent, no TSLIM_SSH_KEY: ~/.ssh/id_ed25519 as ssh would
    await mkdir(join(dir, '.ssh'));
    await writeFile(join(dir, '.ssh', 'id_ed25519'), 'k');
    expect(modemOptions({ host: 'ssh://h', source: 'DOCKER_HOST' }, { HOME: dir }).sshOptions).toEqual({
      privateKey: Buffer.from('k'),
    });
  });

  it('connectEngine: docker-modem does not read DOCKER_CERT_PATH itself (it would throw on a missing cert.pem)', async () => {
    const dir = await certDir(['ca.pem']);
    const saved = { ...process.env };
    Object.assign(process.env, { DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir });
    try {
      const engine = connectEngine();
      expect(engine.modem).toMatchObject({ protocol: 'https', port: 1, cert: undefined, key: undefined });
      expect(process.env.DOCKER_CERT_PATH).toBe(dir);
      expect(process.env.DOCKER_HOST).toBe('tcp://127.0.0.1:1');
    } finally {
      for (const name of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});

describe('knownHostKeys (~/.ssh/known_hosts as OpenSSH matches it)', () => {
  // made by `ssh-keygen -H` from "[build-host]:2222,build-alias ssh-ed25519 AAAA…": one hashed line per name
  const blob = 'AAAAC3NzaC1lZDI1NTE5AAAAII+pBm+A/1vYXb8GougqeCTGb8u1UAv9RhpoIOND/lCs';
  const hashed = [
    `|1|pe7z+BLtwOwJq7FDQx9hN8/6T8Y=|F7CUecOfmR1vuOCn38Up/e75Kfw= ssh-ed25519 ${blob}`,
    `|1|ChXPHVp4zh45F3qIGvae5z7IRDI=|CuW9avDqqvyxVY3Z1aALlKaJ65U= ssh-ed25519 ${blob}`,
  ];

  it('hashed and plain names, [host]:port off port 22; a missing file or host: undefined', async () => {
    const file = join(await tempDir('known-hosts'), 'known_hosts');
    await writeFile(
      file,
      `${hashed.join('\n')}\n# comment\nplain-host,10.0.0.9 ssh-rsa AAAAB3NzaC1yc2E=\n@revoked * ssh-rsa AAAAbad\n`,
    );
    expect(knownHostKeys(file, 'build-host', 2222)?.keys).toEqual(new Map([['ssh-ed25519', new Set([blob])]]));
    expect(knownHostKeys(file, 'build-alias', 22)?.keys.get('ssh-ed25519')).toEqual(new Set([blob]));
    expect(knownHostKeys(file, 'build-host', 22)).toBeUndefined();
    const plain = knownHostKeys(file, '10.0.0.9', 22);
    expect(plain).toBeDefined();
    const check = hostKeyCheck(plain!);
    expect(check.algorithms.serverHostKey).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(check.hostVerifier(Buffer.from('AAAAB3NzaC1yc2E=', 'base64'))).toBe(true);
    expect(check.hostVerifier(Buffer.from(blob, 'base64'))).toBe(false);
    expect(knownHostKeys(join(file, 'nope'), 'build-host', 2222)).toBeUndefined();
  });
});
