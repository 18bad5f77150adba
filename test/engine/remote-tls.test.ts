import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LABEL } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { runCli } from '../support/run-cli.js';
import {
  freePort,
  removeSecondDockerd,
  startSecondDockerd,
  stopSecondDockerd,
  type SecondDockerd,
} from '../support/second-dockerd.js';
import { buildTinyImage } from '../support/tiny-image.js';
import { makeTlsCerts } from '../support/tls-certs.js';
import { startTlsFront } from '../support/tls-front.js';
import { pipelineArgs } from '../support/world-flags.js';
import { readWorld } from '../world/read-world.js';

/**
 * tcp:// + TLS: a second dockerd on 127.0.0.1 with --tlsverify and certificates made here with
 * openssl, reached as the docker CLI reaches it: DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH,
 * or a docker context with TLS files. Needs root (dockerd, a tmpfs data root).
 */
const isRoot = process.getuid?.() === 0;
const runId = randomUUID();
const tag = `tslim-test/remote-tls:${runId.slice(0, 8)}`;

let root = '';
let host = '';
let certs: Awaited<ReturnType<typeof makeTlsCerts>>;
let clientDir = '';
let wrongCaDir = '';
let dockerd: SecondDockerd | undefined;

interface DoctorJson {
  doctor: { endpoint: Record<string, unknown>; engine: { kind: string } };
}

const tlsEnv = (certPath: string): NodeJS.ProcessEnv => ({
  DOCKER_HOST: host,
  DOCKER_TLS_VERIFY: '1',
  DOCKER_CERT_PATH: certPath,
  DOCKER_CONTEXT: '',
});

async function certDir(name: string, ca: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  await copyFile(ca, join(dir, 'ca.pem'));
  await copyFile(certs.clientCert, join(dir, 'cert.pem'));
  await copyFile(certs.clientKey, join(dir, 'key.pem'));
  return dir;
}

describe.skipIf(!isRoot)(
  `a remote engine over tcp:// with TLS (second dockerd --tlsverify on 127.0.0.1)${isRoot ? '' : ' — skipped: not root (dockerd, mount)'}`,
  () => {
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'tslim-tls-'));
      certs = await makeTlsCerts(join(root, 'pki'));
      clientDir = await certDir('client', certs.ca);
      wrongCaDir = await certDir('wrong-ca', certs.otherCa);
      host = `tcp://127.0.0.1:${await freePort()}`;
      const dataRoot = join(root, 'data');
      await mkdir(dataRoot);
      // overlay2 cannot sit on the overlayfs this machine's / may be; a small tmpfs holds the tiny image
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', dataRoot]);
      dockerd = await startSecondDockerd({
        root,
        dataRoot,
        hosts: [host, `unix://${join(root, 'docker.sock')}`],
        args: ['--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey],
        // the test's own client goes through tslim's TLS connection too
        connect: { env: tlsEnv(clientDir) },
      });
      await buildTinyImage(dockerd.engine, tag, runId, 4096, 'scratch', [
        'ENV TRITON_SERVER_VERSION=2.50.0',
        'LABEL com.nvidia.tritonserver.version=24.09',
      ]);
    });

    afterAll(async () => {
      await stopSecondDockerd(dockerd);
      await removeSecondDockerd(root);
    });

    it('doctor --json reaches it through DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH', async () => {
      const run = await runCli(['doctor', '--json'], { env: tlsEnv(clientDir) });
      expect(run.code, run.stderr).toBe(0);
      const { doctor } = JSON.parse(run.stdout) as DoctorJson;
      expect(doctor.endpoint).toMatchObject({
        host,
        source: 'DOCKER_HOST',
        tls: { ca: join(clientDir, 'ca.pem'), cert: join(clientDir, 'cert.pem'), skipVerify: false },
      });
      expect(doctor.engine.kind).toBe('docker');
    });

    it('inspect reads an image on it', async () => {
      const run = await runCli(['inspect', tag, '--no-payload', '--json'], { env: tlsEnv(clientDir) });
      expect(run.code, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout) as { image: Record<string, unknown> };
      expect(out.image).toMatchObject({ ref: tag, tritonVersion: '2.50.0' });
      // the world's engine does not have it: the answer came over TLS
      const local = await runCli(['inspect', tag, '--no-payload', '--json'], { env: { DOCKER_HOST: '' } });
      expect(local.code).toBe(4);
    });

    it('compose builds, verifies, pushes and reports over tcp:// + TLS (the world engine behind a TLS front)', async () => {
      const world = readWorld();
      const front = await startTlsFront({ ca: certs.ca, cert: certs.serverCert, key: certs.serverKey });
      const id = runId.slice(0, 8);
      const output = `tslim-test/tls-pipeline:${id}`;
      const target = `${world.registry.address}/tslim-test/tls-pipeline:${id}`;
      const work = join(root, 'work');
      await mkdir(work, { recursive: true });
      const local = connectEngine({ host: 'unix:///var/run/docker.sock' });
      try {
        const run = await runCli(pipelineArgs(world, output, target, work), {
          env: { ...tlsEnv(clientDir), DOCKER_HOST: front.host, DOCKER_CONFIG: world.registry.dockerConfig },
          cwd: work,
        });
        expect(run.code, run.stderr).toBe(0);
        const out = JSON.parse(run.stdout) as {
          verify: { results: { backend: string; status: string }[] };
          push: { ref: string; digest: string };
        };
        expect(out.verify.results.map((r) => [r.backend, r.status])).toEqual([['python', 'passed']]);
        expect(out.push).toMatchObject({ ref: target, digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/) });
        expect(front.connections()).toBeGreaterThan(0); // every request went through the TLS front
        expect((await local.getImage(output).inspect()).Config.Labels['dev.tslim.backends']).toBe('python');
        const left = await local.listContainers({ all: true, filters: { label: [RUN_LABEL] } });
        expect(left.filter((c) => c.Image.includes(id))).toEqual([]);
      } finally {
        await front.close();
        for (const ref of [output, target])
          await local
            .getImage(ref)
            .remove({ force: true })
            .catch(() => undefined);
      }
    });

    it('a context with TLS files and SkipTLSVerify (no ca.pem) reaches it; DOCKER_TLS_VERIFY is then ignored', async () => {
      const config = join(root, 'docker-config');
      const id = createHash('sha256').update('tls-remote').digest('hex');
      const meta = { Name: 'tls-remote', Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: true } } };
      await mkdir(join(config, 'contexts', 'meta', id), { recursive: true });
      await writeFile(join(config, 'contexts', 'meta', id, 'meta.json'), JSON.stringify(meta));
      const tls = join(config, 'contexts', 'tls', id, 'docker');
      await mkdir(tls, { recursive: true });
      await copyFile(certs.clientCert, join(tls, 'cert.pem'));
      await copyFile(certs.clientKey, join(tls, 'key.pem'));
      await writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'tls-remote' }));
      const run = await runCli(['doctor', '--json'], {
        env: {
          DOCKER_HOST: '',
          DOCKER_CONTEXT: '',
          DOCKER_CONFIG: config,
          DOCKER_TLS_VERIFY: '1',
          DOCKER_CERT_PATH: wrongCaDir,
        },
      });
      expect(run.code, run.stderr).toBe(0);
      const { doctor } = JSON.parse(run.stdout) as DoctorJson;
      expect(doctor.endpoint).toMatchObject({
        host,
        source: 'currentContext',
        context: 'tls-remote',
        tls: { skipVerify: true },
      });
    });

    it('a wrong CA: exit 3 naming DOCKER_CERT_PATH and the ca.pem checked against, no key material', async () => {
      const run = await runCli(['doctor', '--json'], { env: tlsEnv(wrongCaDir) });
      expect(run.code, run.stderr).toBe(3);
      const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string; hint: string } };
      expect(error.code).toBe('ENGINE_UNREACHABLE');
      expect(error.message).toContain("the engine's TLS certificate was not accepted");
      expect(error.message).toContain(`${join(wrongCaDir, 'ca.pem')} from DOCKER_CERT_PATH=${wrongCaDir}`);
      expect(error.hint).toMatch(/--tlscacert/);
      const key = (await readFile(join(wrongCaDir, 'key.pem'), 'utf8')).split('\n')[1] ?? '<none>';
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/PRIVATE KEY/);
      expect(`${run.stdout}${run.stderr}`).not.toContain(key);
    });

    it('a missing cert dir, or no TLS at all: clear errors before any request', async () => {
      const missing = join(root, 'no-such-dir');
      const noDir = await runCli(['doctor', '--json'], { env: tlsEnv(missing) });
      expect(noDir.code).toBe(2);
      expect(noDir.stderr).toContain(`DOCKER_TLS_VERIFY is set but DOCKER_CERT_PATH=${missing} is not a directory`);
      const plain = await runCli(['doctor', '--json'], { env: { DOCKER_HOST: host } });
      expect(plain.code).toBe(3);
      expect(plain.stderr).toContain('plain HTTP to an engine that requires TLS');
      expect(plain.stderr).toMatch(/hint: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH/);
    });
  },
);
