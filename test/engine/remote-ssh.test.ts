import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LABEL } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { runCli } from '../support/run-cli.js';
import { pipelineArgs } from '../support/world-flags.js';
import { freePort } from '../support/second-dockerd.js';
import { readWorld } from '../world/read-world.js';

/**
 * ssh://: a local sshd on 127.0.0.1 (Debian's openssh-server, `scripts/sshd.sh` installs it) with its
 * own config, host key and authorized key in a temp dir; docker-modem runs `docker system dial-stdio`
 * there, which reaches the engine of this machine's default socket. Needs root (sshd, root login).
 */
const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';
const isRoot = process.getuid?.() === 0;
const skip = !isRoot ? 'not root' : !existsSync(SSHD) ? `no ${SSHD}: run \`sudo bash scripts/sshd.sh\`` : '';

let dir = '';
let host = '';
let sshd: ChildProcess | undefined;
let agent: { sock: string; pid: number } | undefined;
let sshdLog = '';
/** ssh logins sshd has accepted so far (its log, counted as it comes). */
let logins = 0;

interface DoctorJson {
  doctor: { endpoint: Record<string, unknown>; engine: { kind: string; version: string; apiVersion: string } };
}

/** Without SSH_AUTH_SOCK or TSLIM_SSH_KEY from the test's own environment, and no ~/.ssh keys. */
const sshEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  DOCKER_HOST: host,
  DOCKER_CONTEXT: '',
  SSH_AUTH_SOCK: '',
  TSLIM_SSH_KEY: '',
  HOME: dir,
  ...extra,
});

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 50; i += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (sshd?.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`sshd did not start:\n${sshdLog}`);
}

describe.skipIf(skip !== '')(
  `a remote engine over ssh:// (local sshd on 127.0.0.1)${skip ? ` — skipped: ${skip}` : ''}`,
  () => {
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tslim-ssh-'));
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tslim-test', '-f', join(dir, 'id_test')]);
      await run('ssh-keygen', [
        '-q',
        '-t',
        'ed25519',
        '-N',
        '',
        '-C',
        'tslim-stranger',
        '-f',
        join(dir, 'id_stranger'),
      ]);
      await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'id_test.pub')));
      const port = await freePort();
      host = `ssh://root@127.0.0.1:${port}`;
      const config = [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        // the temp dir sits under /tmp (world-writable), which StrictModes refuses
        'StrictModes no',
      ];
      await writeFile(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
      await mkdir('/run/sshd', { recursive: true }); // sshd's privilege separation dir
      sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
      sshd.stderr?.on('data', (d: Buffer) => {
        logins += (d.toString().match(/Accepted publickey/g) ?? []).length;
        sshdLog = (sshdLog + d.toString()).slice(-4000);
      });
      await waitForPort(port);
    });

    afterAll(async () => {
      const child = sshd;
      if (child?.exitCode === null) {
        const ended = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([ended, new Promise((r) => setTimeout(r, 10_000))]);
      }
      if (agent) process.kill(agent.pid, 'SIGTERM');
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('doctor --json reaches the engine with the key file TSLIM_SSH_KEY: the same engine as the local socket', async () => {
      const [remote, local] = await Promise.all([
        runCli(['doctor', '--json'], { env: sshEnv({ TSLIM_SSH_KEY: join(dir, 'id_test') }) }),
        runCli(['doctor', '--json'], { env: { DOCKER_HOST: 'unix:///var/run/docker.sock' } }),
      ]);
      expect(remote.code, `${remote.stderr}\n${sshdLog}`).toBe(0);
      expect(local.code, local.stderr).toBe(0);
      const r = (JSON.parse(remote.stdout) as DoctorJson).doctor;
      const l = (JSON.parse(local.stdout) as DoctorJson).doctor;
      expect(r.endpoint).toEqual({ host, source: 'DOCKER_HOST' });
      expect(r.engine).toEqual(l.engine);
      expect(sshdLog).toMatch(/Accepted publickey for root from 127\.0\.0\.1/);
    });

    it('inspect (image inspect and archive reads through a container) gives the same facts as the local socket', async () => {
      const full = readWorld().releases['24.09']?.full ?? '';
      // du: through a container (the layer store would be read on this host, not through the tunnel)
      const args = ['inspect', full, '--no-payload', '--size-method', 'du', '--json'];
      const remote = await runCli(args, { env: sshEnv({ TSLIM_SSH_KEY: join(dir, 'id_test') }) });
      const local = await runCli(args, { env: { DOCKER_HOST: 'unix:///var/run/docker.sock' } });
      expect(remote.code, `${remote.stderr}\n${sshdLog}`).toBe(0);
      expect(local.code, local.stderr).toBe(0);
      const image = (run: { stdout: string }): Record<string, unknown> =>
        (JSON.parse(run.stdout) as { image: Record<string, unknown> }).image;
      expect(image(remote)).toEqual(image(local));
      expect(image(remote).tritonVersion).toBe('2.50.0');
    });

    it('doctor reaches it with the key in ssh-agent (SSH_AUTH_SOCK)', async () => {
      const sock = join(dir, 'agent.sock');
      const { stdout } = await run('ssh-agent', ['-a', sock]);
      agent = { sock, pid: Number(/SSH_AGENT_PID=(\d+)/.exec(stdout)?.[1]) };
      await run('ssh-add', [join(dir, 'id_test')], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      const remote = await runCli(['doctor', '--json'], { env: sshEnv({ SSH_AUTH_SOCK: sock }) });
      expect(remote.code, `${remote.stderr}\n${sshdLog}`).toBe(0);
      expect((JSON.parse(remote.stdout) as DoctorJson).doctor.engine.kind).toBe('docker');
    });

    it('known_hosts: the right host key passes; another key for [127.0.0.1]:PORT is refused (exit 3)', async () => {
      const port = new URL(host).port;
      const hostKey = (await readFile(join(dir, 'host_key.pub'), 'utf8')).split(' ').slice(0, 2).join(' ');
      const otherKey = (await readFile(join(dir, 'id_stranger.pub'), 'utf8')).split(' ').slice(0, 2).join(' ');
      const ssh = join(dir, '.ssh');
      await mkdir(ssh, { recursive: true });
      const env = sshEnv({ TSLIM_SSH_KEY: join(dir, 'id_test') });
      try {
        await writeFile(join(ssh, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
        const known = await runCli(['doctor', '--json'], { env });
        expect(known.code, known.stderr).toBe(0);
        await writeFile(join(ssh, 'known_hosts'), `[127.0.0.1]:${port} ${otherKey}\n`);
        const other = await runCli(['doctor', '--json'], { env });
        expect(other.code).toBe(3);
        expect(other.stderr).toContain('error: the ssh host key is not one ~/.ssh/known_hosts lists for this host');
        expect(other.stderr).toMatch(/hint: .*ssh-keygen -R/);
      } finally {
        await rm(ssh, { recursive: true, force: true });
      }
    });

    it('compose builds, verifies, pushes and reports through the ssh tunnel (context upload, build stream, server run, push)', async () => {
      const world = readWorld();
      const id = `${Date.now().toString(36)}${process.pid}`;
      const output = `tslim-test/ssh-pipeline:${id}`;
      const target = `${world.registry.address}/tslim-test/ssh-pipeline:${id}`;
      const work = join(dir, 'work');
      await mkdir(work, { recursive: true });
      try {
        const before = logins;
        const remote = await runCli(pipelineArgs(world, output, target, work, ['--builder', 'classic']), {
          env: sshEnv({ TSLIM_SSH_KEY: join(dir, 'id_test'), DOCKER_CONFIG: world.registry.dockerConfig }),
          cwd: work,
        });
        expect(remote.code, `${remote.stderr}\n${sshdLog}`).toBe(0);
        // one ssh connection for the whole run, every request a channel of it (ssh-pool.ts); sshd
        // may log the last login a moment after the run
        await new Promise((r) => setTimeout(r, 200));
        expect(logins - before).toBe(1);
        const out = JSON.parse(remote.stdout) as {
          verify: { ok: boolean; results: { backend: string; status: string }[] };
          push: { ref: string; digest: string };
          report: Record<string, unknown>;
        };
        expect(out.verify.results.map((r) => [r.backend, r.status])).toEqual([['python', 'passed']]);
        expect(out.push.ref).toBe(target);
        expect(out.push.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
        expect(JSON.stringify(out.report)).toContain('pytorch'); // the report names what was dropped
        // the same engine as the local socket: the image is there, with the labels the recipe sets
        const local = connectEngine({ host: 'unix:///var/run/docker.sock' });
        const labels = (await local.getImage(output).inspect()).Config.Labels;
        expect(labels['dev.tslim.backends']).toBe('python');
        const left = await local.listContainers({ all: true, filters: { label: [RUN_LABEL] } });
        expect(left.filter((c) => c.Image.includes(id))).toEqual([]);
      } finally {
        const local = connectEngine({ host: 'unix:///var/run/docker.sock' });
        for (const ref of [output, target])
          await local
            .getImage(ref)
            .remove({ force: true })
            .catch(() => undefined);
      }
    });

    it('a key the server does not accept: exit 3, the ssh login refused, naming where keys come from', async () => {
      const remote = await runCli(['doctor', '--json'], { env: sshEnv({ TSLIM_SSH_KEY: join(dir, 'id_stranger') }) });
      expect(remote.code).toBe(3);
      expect(remote.stderr).toContain(`error: the ssh login was refused`);
      expect(remote.stderr).toContain(`(${host} (DOCKER_HOST))`);
      expect(remote.stderr).toMatch(/hint: .*TSLIM_SSH_KEY/);
      const missing = await runCli(['doctor', '--json'], { env: sshEnv({ TSLIM_SSH_KEY: join(dir, 'nope') }) });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`could not read the ssh key TSLIM_SSH_KEY (${join(dir, 'nope')})`);
    });
  },
);
