import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectEngine, type Engine, type EngineOptions } from '../../src/docker/engine.js';

const run = promisify(execFile);

/**
 * A second dockerd for engine tests (root only), beside the world's: its own data root, exec root,
 * pidfile and sockets under `root`, no bridge, no iptables, so it touches neither the main engine nor
 * the host's network. `hosts` are its -H addresses; `connect` says how the test's client reaches it.
 */
export interface SecondDockerdOptions {
  root: string;
  /** default `<root>/data`; mount a tmpfs there first where the disk is itself an overlayfs */
  dataRoot?: string;
  hosts: string[];
  args?: string[];
  /** Added to its environment (e.g. HTTPS_PROXY: dockerd reaches registries through it). */
  env?: NodeJS.ProcessEnv;
  connect: EngineOptions;
}

export interface SecondDockerd {
  engine: Engine;
  process: ChildProcess;
  /** The last 4000 characters of its stderr. */
  log: () => string;
}

export async function startSecondDockerd(options: SecondDockerdOptions): Promise<SecondDockerd> {
  const dataRoot = options.dataRoot ?? join(options.root, 'data');
  await mkdir(dataRoot, { recursive: true });
  const child = spawn(
    'dockerd',
    [
      '--data-root',
      dataRoot,
      '--exec-root',
      join(options.root, 'exec'),
      '--pidfile',
      join(options.root, 'dockerd.pid'),
      ...options.hosts.flatMap((h) => ['-H', h]),
      '--bridge=none',
      '--iptables=false',
      '--storage-driver=overlay2',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const engine = connectEngine(options.connect);
  for (let i = 0; i < 120; i += 1) {
    const up = await engine.ping().then(
      () => true,
      () => false,
    );
    if (up) return { engine, process: child, log: () => log };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGKILL');
  throw new Error(`the second dockerd did not start:\n${log}`);
}

/** Stops it (SIGTERM by default, 30 s at most); nothing when it has exited already. */
export async function stopSecondDockerd(
  d: SecondDockerd | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  const child = d?.process;
  if (child?.exitCode !== null || child.signalCode !== null) return;
  const ended = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await Promise.race([ended, new Promise((r) => setTimeout(r, 30_000))]);
}

/** After stopSecondDockerd: its containerd (left behind by a SIGKILL), mounts under root, root itself. */
export async function removeSecondDockerd(root: string): Promise<void> {
  if (!root) return;
  const containerdPid = join(root, 'exec', 'containerd', 'containerd.pid');
  if (existsSync(containerdPid)) {
    const pid = Number((await readFile(containerdPid, 'utf8')).trim());
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone already
      }
    }
  }
  await run('sh', ['-c', `grep -o " ${root}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l`]).catch(
    () => undefined,
  );
  await rm(root, { recursive: true, force: true }).catch(() => undefined);
}

/** A TCP port free on 127.0.0.1 now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
