import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LABEL } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { runCli } from '../support/run-cli.js';
import { readWorld } from '../world/read-world.js';

/**
 * Bad input through the built CLI. Every run below points DOCKER_HOST at a socket that does not
 * exist: an input error must be found before the engine is asked anything, so it exits 2 (or the
 * documented code), never 3 (engine unreachable). Each case names the value the error must quote.
 */
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/tslim-no-engine.sock' };
const V = ['--version', '24.09'];

type Case = [command: string, args: string[], exit: number, names: string];

const CASES: Case[] = [
  // compose: names that could carry Dockerfile or shell text, unknown versions, profiles, images
  ['compose', ['--backend', 'onnx\nRUN id', ...V], 2, 'onnx\\nRUN id'],
  ['compose', ['--backend', 'onnx runtime', ...V], 2, 'onnx runtime'],
  ['compose', ['--backend', '../../etc', ...V], 2, '../../etc'],
  ['compose', ['--backend', '$(id)', ...V], 2, '$(id)'],
  ['compose', ['--repoagent', 'checksum;rm -rf /', ...V], 2, 'checksum;rm -rf /'],
  ['compose', ['--cache', 'local`id`', ...V], 2, 'local`id`'],
  ['compose', ['--backend', 'python', '--version', '24.9'], 2, '24.9'],
  ['compose', ['--backend', 'python', '--version', '24.09\nFROM x'], 2, '24.09\\nFROM x'],
  ['compose', ['--backend', 'python', '--version', '99.99'], 6, '99.99'],
  ['compose', ['--profile', 'no-such-profile', ...V], 2, 'no-such-profile'],
  [
    'compose',
    ['--backend', 'python', '--image', 'fool=nvcr.io/nvidia/tritonserver:24.09-py3', '--image', 'min=x:1'],
    2,
    'fool=',
  ],
  ['compose', ['--backend', 'python', '--image', 'full=Not A Ref', '--image', 'min=x:1'], 2, 'Not A Ref'],
  [
    'compose',
    ['--backend', 'python', '--image', 'full=nvcr.io/nvidia/tritonserver:24.09-py3!', '--image', 'min=x:1'],
    2,
    '24.09-py3!',
  ],
  ['compose', ['--backend', 'python', '--image', 'full=repo:..', '--image', 'min=x:1'], 2, 'repo:..'],
  ['compose', ['--backend', 'python', ...V, '--output-name', 'slim\nRUN id'], 2, 'slim\\nRUN id'],
  ['compose', ['--backend', 'python', ...V, '--apt-mirror', 'http://mirror/a b'], 2, 'http://mirror/a b'],
  ['compose', ['--backend', 'python', ...V, '--build-arg', 'A=$(id)'], 2, '$(id)'],
  ['compose', ['--backend', 'python', ...V, '--push', 'host/Repo:x y'], 2, 'host/Repo:x y'],
  ['compose', ['--backend', 'python', ...V, '--report', '--max-size', 'lots'], 2, 'lots'],
  // inspect
  ['inspect', ['not a ref'], 2, 'not a ref'],
  ['inspect', ['repo:bad!tag'], 2, 'repo:bad!tag'],
  ['inspect', ['repo:1\nFROM evil'], 2, 'repo:1\\nFROM evil'],
  ['inspect', ['Upper/Case:1'], 2, 'Upper/Case:1'],
  // verify
  ['verify', ['not a ref'], 2, 'not a ref'],
  ['verify', ['x:1', '--backend', 'onnx'], 2, 'onnx'],
  ['verify', ['x:1', '--gpus', 'many'], 2, 'many'],
  ['verify', ['x:1', '--timeout', 'soon'], 2, 'soon'],
  // push
  ['push', ['not a ref', '127.0.0.1:5055/a/b:1'], 2, 'not a ref'],
  ['push', ['x:1', '127.0.0.1:5055/a/b:bad tag'], 2, '127.0.0.1:5055/a/b:bad tag'],
  ['push', ['x:1', '127.0.0.1:5055/a/b:1', '--retries', '0'], 2, "'0'"],
  // report
  ['report', ['full:1', 'slim: 1'], 2, 'slim: 1'],
  ['report', ['full:1', 'slim:1', '--min', '../min'], 2, '../min'],
  ['report', ['full:1', 'slim:1', '--max-size', 'lots'], 2, 'lots'],
  ['report', ['full:1', 'slim:1', '--min-saved', '120%'], 2, '120%'],
];

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tslim-bad-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const withWorkDir = (command: string, args: string[]): string[] =>
  command === 'compose' ? [...args, '--work-dir', dir] : args;

describe('bad input is refused before anything runs (no engine reachable)', () => {
  it.each(CASES)('%s %j exits %i', async (command, args, exit, names) => {
    const run = await runCli([command, ...withWorkDir(command, args)], { env: NO_ENGINE, cwd: dir });
    expect(run.code, run.stderr).toBe(exit);
    const shown = run.stderr.includes(names) || run.stderr.includes(JSON.stringify(names).slice(1, -1));
    expect(shown, `stderr should name ${JSON.stringify(names)}:\n${run.stderr}`).toBe(true);
    expect(run.stderr).not.toMatch(/no Docker engine answers/);
    expect(run.stdout).toBe('');
    expect(await readdir(dir)).toEqual([]);
  });

  it.each(CASES.filter((_, i) => i % 3 === 0))(
    '%s %j --json prints one JSON error with the same code',
    async (command, args, exit) => {
      const run = await runCli([command, ...withWorkDir(command, args), '--json'], { env: NO_ENGINE, cwd: dir });
      expect(run.code).toBe(exit);
      const lines = run.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({
        ok: false,
        error: { exitCode: exit, code: exit === 2 ? 'USAGE' : 'BAD_RELEASE' },
      });
      expect(await readdir(dir)).toEqual([]);
    },
  );
});

/** Input that only the images can refute: the engine (the test world) is up, nothing is pulled. */
describe('images that do not fit are refused before the build (world engine)', () => {
  const world = readWorld();
  const r2409 = world.releases['24.09']!;
  const r2509 = world.releases['25.09']!;
  const engine = connectEngine();
  const images = (full: string, min: string): string[] => [
    '--image',
    `full=${full}`,
    '--image',
    `min=${min}`,
    '--skip-pull',
    '--output-name',
    'tslim-test/never:1',
  ];
  const cases: Case[] = [
    ['compose', ['--backend', 'onnx', ...images(r2409.full, r2409.min)], 2, "unknown backend 'onnx'"],
    [
      'compose',
      ['--backend', 'python', '--repoagent', 'nosuch', ...images(r2409.full, r2409.min)],
      2,
      "unknown repoagent 'nosuch'",
    ],
    [
      'compose',
      ['--backend', 'python', '--cache', 'memcached', ...images(r2409.full, r2409.min)],
      2,
      "unknown cache 'memcached'",
    ],
    // full and min from different releases: both versions named
    ['compose', ['--backend', 'python', ...images(r2409.full, r2509.min)], 6, 'is release 24.09 but the min image'],
    ['compose', ['--backend', 'python', ...images(r2509.full, r2409.min)], 6, 'is release 25.09 but the min image'],
    // GPU compose on a min image without CUDA (the world's plain base)
    ['compose', ['--backend', 'python', ...images(r2409.full, world.base)], 6, 'has no CUDA_VERSION'],
    // missing image, pulling not allowed
    ['compose', ['--backend', 'python', ...images('tslim-fixture/none:1', r2409.min)], 4, 'tslim-fixture/none:1'],
    ['inspect', ['tslim-fixture/none:1'], 4, 'tslim-fixture/none:1'],
    ['verify', ['tslim-fixture/none:1', '--gpus', 'none'], 4, 'tslim-fixture/none:1'],
    ['push', ['tslim-fixture/none:1', `${world.registry.address}/tslim-test/none:1`], 4, 'tslim-fixture/none:1'],
    ['report', ['tslim-fixture/none:1', r2409.full, '--no-registry'], 4, 'tslim-fixture/none:1'],
  ];

  it.each(cases)('%s %j exits %i', async (command, args, exit, names) => {
    const before = new Set(
      (await engine.listContainers({ all: true, filters: { label: [RUN_LABEL] } })).map((c) => c.Id),
    );
    const run = await runCli([command, ...withWorkDir(command, args)], {
      cwd: dir,
      env: { DOCKER_CONFIG: world.registry.dockerConfig },
    });
    expect(run.code, run.stderr).toBe(exit);
    expect(run.stderr).toContain(names);
    if (names.includes('is release')) expect(run.stderr).toMatch(/24\.09[\s\S]*25\.09|25\.09[\s\S]*24\.09/);
    expect(run.stdout).toBe('');
    expect(await readdir(dir)).toEqual([]);
    const left = (await engine.listContainers({ all: true, filters: { label: [RUN_LABEL] } })).filter(
      (c) => !before.has(c.Id),
    );
    expect(left.map((c) => c.Names)).toEqual([]);
  });
});
