import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunId, RUN_LABEL } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { spawnCli, type LiveCli } from '../support/spawn-cli.js';
import { buildTinyImage, removeByLabel } from '../support/tiny-image.js';
import { readWorld } from '../world/read-world.js';

/**
 * Ctrl-C (SIGINT) to the built CLI in each long phase: inspect, the compose build, verify, push.
 * Each must exit 130, leave no container (labelled, or an intermediate of the classic builder), no
 * half-written file in the work dir, and for push no tag it made.
 */
const world = readWorld();
const release = world.releases['24.09']!;
const engine = connectEngine();
const runId = `test-interrupt-${newRunId()}`;
const BIN = fileURLToPath(new URL('../../bin/tslim.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const env = { DOCKER_CONFIG: world.registry.dockerConfig };
let dir = '';
let known = new Set<string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tslim-interrupt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await removeByLabel(engine, runId);
});

/** Containers that were not there before the test: tslim's (labelled) and build intermediates. */
async function newContainers(ancestor?: string): Promise<string[]> {
  const list = await engine.listContainers({ all: true, ...(ancestor ? { filters: { ancestor: [ancestor] } } : {}) });
  return list
    .filter((c) => !known.has(c.Id) && (c.Labels[RUN_LABEL] !== undefined || c.Command.includes('/bin/sh -c ')))
    .map((c) => `${c.Names.join(',')} ${c.Image} ${c.Command}`);
}

async function snapshot(): Promise<void> {
  known = new Set((await engine.listContainers({ all: true })).map((c) => c.Id));
}

/** Waits for a new tslim container made from `image` (others' tests may run beside this one). */
async function waitForContainer(cli: LiveCli, image: string): Promise<void> {
  for (let i = 0; i < 3000; i += 1) {
    if ((await newContainers(image)).length > 0) return;
    if (cli.child.exitCode !== null) throw new Error(`ended before a container appeared:\n${cli.stderr()}`);
    await sleep(20);
  }
  throw new Error('no container appeared');
}

/** SIGINT, then: exit 130, and within a few seconds no new container and no temp/partial file. */
async function interrupt(cli: LiveCli): Promise<void> {
  cli.child.kill('SIGINT');
  const result = await cli.done;
  expect(result.code, result.stderr).toBe(130);
  expect(cli.child.signalCode, 'tslim handled the signal and exited itself').toBeNull();
  expect(result.stderr).toMatch(/interrupted/);
  // the engine removes a cancelled build's intermediate container a moment after the client leaves
  let left = await newContainers();
  for (let i = 0; i < 40 && left.length > 0; i += 1) {
    await sleep(500);
    left = await newContainers();
  }
  expect(left).toEqual([]);
  expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

describe('Ctrl-C in each phase (built CLI)', () => {
  it('during inspect: exit 130, the scratch container removed', async () => {
    await snapshot();
    const cli = spawnCli(['inspect', release.full, '--json', '--size-method', 'du'], { env, cwd: dir });
    await waitForContainer(cli, release.full);
    await interrupt(cli);
    expect(JSON.parse(cli.stdout())).toMatchObject({ ok: false, error: { code: 'ABORTED', exitCode: 130 } });
  });

  it('during the compose build: exit 130, no intermediate container, no image, Dockerfile whole or absent', async () => {
    await snapshot();
    const tag = `tslim-test/interrupt-build:${runId}`;
    const cli = spawnCli(
      [
        'compose',
        '--version',
        '24.09',
        '--backend',
        'python',
        '--registry-mirror',
        world.mirror,
        '--cuda-repo',
        world.apt.cudaRepo,
        '--pip-index-url',
        world.pypi.url,
        '--pip-trusted-host',
        world.pypi.trustedHost,
        '--skip-pull',
        '--no-cache',
        '-v',
        '--output-name',
        tag,
        '--work-dir',
        dir,
      ],
      { env, cwd: dir },
    );
    await cli.waitFor(/Step \d+\/\d+ : RUN apt-get update/);
    await sleep(500);
    await interrupt(cli);
    expect(
      await engine
        .getImage(tag)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
    ).toBe(false);
    const files = await readdir(dir);
    expect(files.filter((f) => f.startsWith('tslim-build-'))).toEqual([]); // an abort is not a failed build
    expect(files).toContain('Dockerfile.compose');
  });

  it('during verify: exit 130, the server container removed', async () => {
    await snapshot();
    const cli = spawnCli(
      ['verify', release.full, '--backend', 'onnxruntime', '--gpus', 'none', '--soak', '--soak-rounds', '10000'],
      { env, cwd: dir },
    );
    await waitForContainer(cli, release.full);
    await sleep(1500);
    await interrupt(cli);
  });

  it('during push: exit 130, the temporary tag removed, the target tag not in the registry', async () => {
    await snapshot();
    const image = await buildTinyImage(engine, `tslim-test/interrupt-push:${runId}`, runId, 256 * 1024 * 1024);
    const repo = `tslim-test/interrupt-${Date.now().toString(36)}`;
    const target = `${world.registry.address}/${repo}:1`;
    const cli = spawnCli(['push', image, target], { env, cwd: dir });
    for (let i = 0; i < 1000; i += 1) {
      const tags = (await engine.getImage(image).inspect()).RepoTags ?? [];
      if (tags.includes(target)) break;
      if (cli.child.exitCode !== null) throw new Error(`push ended before tagging:\n${cli.stderr()}`);
      await sleep(20);
    }
    await sleep(300);
    await interrupt(cli);
    expect((await engine.getImage(image).inspect()).RepoTags ?? []).not.toContain(target);
    const user = world.registry.users[0]!;
    const res = await fetch(`http://${world.registry.address}/v2/${repo}/manifests/1`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`,
        accept: 'application/vnd.docker.distribution.manifest.v2+json',
      },
    });
    expect(res.status).toBe(404);
  });

  it('a reader that goes away mid-run (`2>&1 | head`): the run stops as on Ctrl-C and leaves no container', async () => {
    // docker-modem's debug log (DEBUG=modem) writes a few lines per engine request, so closing the
    // pipe after N lines lands at different points of the dry run's parallel container work
    for (const lines of [40, 60, 80, 100, 120]) {
      await snapshot();
      const child = spawn(
        process.execPath,
        [
          BIN,
          'compose',
          '--dry-run',
          '--skip-pull',
          '--image',
          `full=${release.full}`,
          '--image',
          `min=${release.min}`,
        ],
        { env: { ...process.env, ...env, DEBUG: 'modem' }, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let seen = 0;
      child.stderr.on('data', (d: Buffer) => {
        seen += d.toString().split('\n').length - 1;
        if (seen >= lines) child.stderr.destroy();
      });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('exit', (c, s) => resolve([c, s])),
      );
      expect(signal, `closed after ${lines} lines: ended by a signal`).toBeNull();
      expect([0, 130], `closed after ${lines} lines`).toContain(code);
      expect(await newContainers(), `closed after ${lines} lines`).toEqual([]);
    }
  });
});
