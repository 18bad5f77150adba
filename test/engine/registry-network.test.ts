import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import {
  removeSecondDockerd,
  startSecondDockerd,
  stopSecondDockerd,
  type SecondDockerd,
} from '../support/second-dockerd.js';
import { makeUnknownCaCert } from '../support/tls-certs.js';

/**
 * A registry the engine cannot reach through its HTTP proxy: a second dockerd (root; nothing loaded
 * in it) whose HTTPS_PROXY is a proxy on 127.0.0.1 written here. The proxy tunnels CONNECTs for
 * tls.invalid to a local TLS server whose certificate comes from a CA the engine does not know, and
 * refuses (403) every other CONNECT; then it is stopped, so that the engine finds no proxy at all.
 * Nothing leaves the machine: the proxy connects to 127.0.0.1 only, and the .invalid names are never
 * resolved by the engine's dialer (a proxied request is not; its registry check's lookup fails).
 * Whatever failed, tslim exits 11 (REGISTRY_FAILED), says what happened, keeps the engine's words
 * and blames no credentials.
 */
const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const IMAGE = 'nvidia/tritonserver:24.09-py3';

let root = '';
let dockerd: SecondDockerd | undefined;
let proxy: Server | undefined;
let proxyPort = 0;
let tlsServer: Server | undefined;
const sockets = new Set<Socket>();
const connects: string[] = [];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

const env = (): NodeJS.ProcessEnv => ({ DOCKER_HOST: `unix://${join(root, 'docker.sock')}`, DOCKER_CONFIG: root });

describe.skipIf(!isRoot)("registries behind the engine's HTTPS proxy (second dockerd)", () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tslim-regnet-'));
    const dataRoot = join(root, 'data');
    await mkdir(dataRoot);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', dataRoot]);
    const certs = await makeUnknownCaCert(join(root, 'certs'), 'tls.invalid');
    tlsServer = createHttpsServer({ cert: await readFile(certs.cert), key: await readFile(certs.key) }, (_req, res) =>
      res.end('{}'),
    );
    const tlsPort = await listen(tlsServer);
    proxy = createHttpServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      sockets.add(client);
      connects.push(req.url ?? '');
      if (!req.url?.startsWith('tls.invalid:')) {
        client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const upstream = connect(tlsPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    proxyPort = await listen(proxy);
    const host = `unix://${join(root, 'docker.sock')}`;
    dockerd = await startSecondDockerd({
      root,
      dataRoot,
      hosts: [host],
      connect: { host },
      env: { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`, HTTP_PROXY: '', NO_PROXY: '' },
    });
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    proxy?.close();
    tlsServer?.close();
    await stopSecondDockerd(dockerd);
    await removeSecondDockerd(root);
  });

  it('a registry certificate from an unknown CA: exit 11, the x509 reason, where the CA goes', async () => {
    const result = await runCli(['inspect', '--pull', `tls.invalid/${IMAGE}`], { env: env() });
    expect(result.code, result.stderr).toBe(11);
    expect(connects).toContain('tls.invalid:443');
    expect(result.stderr).toMatch(
      /^error: cannot reach registry tls\.invalid to pull tls\.invalid\/nvidia\/tritonserver:24\.09-py3: tls\.invalid's TLS certificate is not trusted \(x509: certificate signed by unknown authority\); the engine said: .*x509/m,
    );
    expect(result.stderr).toMatch(/^hint: give the engine the CA .*\/etc\/docker\/certs\.d\/tls\.invalid\/ca\.crt/m);
    expect(result.stderr).toContain('docker load -i FILE) and inspect it without --pull');
    expect(result.stderr).not.toMatch(/credentials/);
  });

  it('a proxy that refuses the CONNECT (403): exit 11, the proxy named', async () => {
    const result = await runCli(['inspect', '--pull', `denied.invalid/${IMAGE}`], { env: env() });
    expect(result.code, result.stderr).toBe(11);
    expect(connects).toContain('denied.invalid:443');
    expect(result.stderr).toMatch(/^error: cannot reach registry denied\.invalid .*HTTP proxy did not let it through/m);
    expect(result.stderr).toMatch(/^hint: check the proxy dockerd uses \(HTTPS_PROXY/m);
    expect(result.stderr).not.toMatch(/credentials/);
  });

  it('a proxy that is not there (connection refused): exit 11 for compose, with the air-gapped ways out', async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => proxy?.close(resolve));
    const work = await mkdtemp(join(root, 'work-'));
    const result = await runCli(
      [
        'compose',
        '--backend',
        'python',
        '--version',
        '24.09',
        '--registry-mirror',
        'nvcr.io=nvcr.invalid',
        '--work-dir',
        work,
        '--output-name',
        'tslim-test/never:1',
      ],
      { env: env() },
    );
    expect(result.code, result.stderr).toBe(11);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: cannot reach registry nvcr\\.invalid to pull nvcr\\.io/${IMAGE.replace(/\./g, '\\.')} \\(through nvcr\\.invalid/[^)]*\\): the engine's HTTP proxy did not let it through \\(dial tcp 127\\.0\\.0\\.1:${proxyPort}: connect: connection refused\\)`,
        'm',
      ),
    );
    expect(result.stderr).toContain('--registry-mirror nvcr.io=HOST/PATH');
    expect(result.stderr).toContain('--skip-pull --image full,REF --image min,REF');
    expect(result.stderr).not.toMatch(/credentials/);
    // the engine itself is fine: only its way to registries is gone
    expect(await dockerd!.engine.ping()).toBeTruthy();
  });
});
