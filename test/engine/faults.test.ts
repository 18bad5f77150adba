import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/docker/engine.js';
import { runCli } from '../support/run-cli.js';
import {
  removeSecondDockerd,
  startSecondDockerd,
  stopSecondDockerd,
  type SecondDockerd,
} from '../support/second-dockerd.js';
import { spawnCli } from '../support/spawn-cli.js';
import { readWorld } from '../world/read-world.js';

/**
 * Faults of the engine itself, on a second dockerd whose data root is a small tmpfs: the disk fills
 * during the build, and the engine dies in the middle of one. Needs root (mount, dockerd).
 */
const run = promisify(execFile);
const world = readWorld();
const release = world.releases['24.09']!;
const full = `${world.registry.address}/nvidia/tritonserver:24.09-py3`;
const min = `${full}-min`;
const MiB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;

let root = '';
let dataRoot = '';
let socket = '';
let dockerd: SecondDockerd | undefined;
let engine: Engine;

const flags = [
  '--version',
  '24.09',
  '--registry-mirror',
  world.mirror,
  '--cuda-repo',
  world.apt.cudaRepo,
  '--pip-index-url',
  world.pypi.url,
  '--pip-trusted-host',
  world.pypi.trustedHost,
  '--skip-pull',
];
const env = (): NodeJS.ProcessEnv => ({ DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: world.registry.dockerConfig });

async function startDockerd(): Promise<void> {
  const host = `unix://${socket}`;
  dockerd = await startSecondDockerd({ root, dataRoot, hosts: [host], connect: { host } });
  engine = dockerd.engine;
}

async function containersLeft(): Promise<string[]> {
  const list = await engine.listContainers({ all: true });
  return list.map((c) => `${c.Names.join(',')} ${c.Image}`);
}

/** Shrinks the tmpfs to what it holds now plus `free` bytes. */
async function leaveFree(free: number): Promise<void> {
  const s = await statfs(dataRoot);
  const used = (s.blocks - s.bfree) * s.bsize;
  await run('mount', ['-o', `remount,size=${Math.ceil((used + free) / 4096) * 4096}`, dataRoot]);
}

describe.skipIf(!isRoot)('engine faults on a second dockerd (tmpfs data root)', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tslim-faults-'));
    dataRoot = join(root, 'data');
    socket = join(root, 'docker.sock');
    await mkdir(dataRoot);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=4g', 'tmpfs', dataRoot]);
    await startDockerd();
    // the world's 24.09 full and min (one ~900 MB base layer shared) into the second engine
    await run('sh', ['-c', `docker save ${full} ${min} | docker -H unix://${socket} load -q`], { maxBuffer: 16 * MiB });
    // warm the build cache: the same recipe as below, so its RUN steps come from the cache there
    const warm = await runCli(
      [
        'compose',
        ...flags,
        '--backend',
        'python',
        '--backend',
        'pytorch',
        '--backend',
        'tensorflow',
        '--output-name',
        'tslim-test/faults-warm:1',
        '--work-dir',
        root,
      ],
      { env: env() },
    );
    expect(warm.code, warm.stderr).toBe(0);
  });

  afterAll(async () => {
    await stopSecondDockerd(dockerd);
    await removeSecondDockerd(root);
  });

  it('a full disk during the build: BUILD_FAILED (7) saying so, the log kept, no container, the Dockerfile whole', async () => {
    const workDir = await mkdtemp(join(root, 'work-'));
    const backends = ['python', 'pytorch', 'tensorflow', 'dali', 'onnxruntime', 'fil', 'openvino'];
    const needed = backends.reduce((sum, b) => sum + (release.payload.backends[b] ?? 0), 0);
    expect(needed).toBeGreaterThan(40 * MiB); // the copies cannot fit in what is left free
    await leaveFree(8 * MiB);
    try {
      const result = await runCli(
        [
          'compose',
          ...flags,
          ...backends.flatMap((b) => ['--backend', b]),
          '--output-name',
          'tslim-test/faults-full:1',
          '--work-dir',
          workDir,
        ],
        { env: env() },
      );
      expect(result.code, result.stderr).toBe(7);
      expect(result.stderr).toMatch(/^error: build of tslim-test\/faults-full:1 failed: .*no space left on device/im);
      // what to do: free the engine's disk (issue 27)
      expect(result.stderr).toMatch(
        /^hint: the engine's disk is full: free space in its data root \(docker system df;/m,
      );
      const logPath = /the full build log is in (\S+)/.exec(result.stderr)?.[1];
      expect(logPath && existsSync(logPath)).toBe(true);
      expect(await readFile(logPath!, 'utf8')).toMatch(/Step \d+\/\d+ : COPY/);
      expect(await containersLeft()).toEqual([]);
      const files = await readdir(workDir);
      expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(await readFile(join(workDir, 'Dockerfile.compose'), 'utf8')).toMatch(
        /LABEL [\s\S]*dev\.tslim\.backends="python,pytorch,tensorflow,dali,onnxruntime,fil,openvino"/,
      );
    } finally {
      await run('mount', ['-o', 'remount,size=4g', dataRoot]);
    }
  });

  it('the engine killed mid-build: ENGINE_UNREACHABLE (3) within seconds, no hang', async () => {
    const workDir = await mkdtemp(join(root, 'work-'));
    // --no-cache: the RUN steps really run, so the build is still going when the engine dies
    const cli = spawnCli(
      [
        'compose',
        ...flags,
        '--backend',
        'python',
        '--no-cache',
        '-v',
        '--output-name',
        'tslim-test/faults-killed:1',
        '--work-dir',
        workDir,
      ],
      { env: env() },
    );
    await cli.waitFor(/Step \d+\/\d+ : RUN apt-get update/, 300_000);
    await stopSecondDockerd(dockerd, 'SIGKILL');
    const killedAt = Date.now();
    const result = await Promise.race([
      cli.done,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`tslim hangs after the engine died:\n${cli.stderr().slice(-1500)}`)), 60_000),
      ),
    ]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(
      /error: the Docker engine stopped answering during the build of tslim-test\/faults-killed:1/,
    );
    expect(result.stderr).toMatch(/hint: .*build log so far is in \S+tslim-build-/);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect((await readdir(workDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
