import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/docker/engine.js';
import { removeImage } from '../../src/docker/images.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { freePort } from '../support/second-dockerd.js';
import { worldComposeFlags } from '../support/world-flags.js';
import { readWorld } from '../world/read-world.js';

/**
 * The errors a first run meets (issue 27), through the built CLI on the world's engine: each says
 * what happened with the value, and what to do (a hint), and exits with its documented code.
 * The engine's full disk during a build: test/engine/faults.test.ts; a registry behind a proxy or
 * with an unknown CA: test/engine/registry-network.test.ts.
 */
const run = promisify(execFile);
const world = readWorld();
const r2409 = world.releases['24.09']!;
const r2509 = world.releases['25.09']!;
const isRoot = process.getuid?.() === 0;
const BIN = fileURLToPath(new URL('../../bin/tslim.js', import.meta.url));
const PTY = fileURLToPath(new URL('../support/pty-stderr.py', import.meta.url));
const worldAuth = { DOCKER_CONFIG: world.registry.dockerConfig };

let dir = '';
let emptyConfig = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tslim-first-run-'));
  emptyConfig = join(dir, 'docker-config');
  await mkdir(emptyConfig);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectSaid(result: CliRun, code: number, message: RegExp, hint: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).toMatch(hint);
  expect(result.stdout).toBe('');
}

const compose = (...args: string[]): string[] => [
  'compose',
  '--work-dir',
  dir,
  '--output-name',
  'tslim-test/never:1',
  ...args,
];

describe('first-run errors say what happened and what to do', () => {
  it('no engine: exit 3, the address, how to start or point at one', async () => {
    const result = await runCli(['inspect', 'x:1'], { env: { DOCKER_HOST: 'unix:///nonexistent/first-run.sock' } });
    expectSaid(
      result,
      3,
      /^error: no Docker engine answers at unix:\/\/\/nonexistent\/first-run\.sock/m,
      /^hint: start one .*set DOCKER_HOST/m,
    );
  });

  it.skipIf(!isRoot)(
    'no permission on the socket (a user outside its group): exit 3, the user and the group to join',
    async () => {
      const result = await new Promise<CliRun>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, 'inspect', 'x:1'], {
          uid: 65534,
          gid: 65534,
          env: { PATH: process.env.PATH, HOME: '/nonexistent/first-run-home', TSLIM_NO_CACHE: '1' },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
      expectSaid(
        result,
        3,
        /^error: permission denied on the engine's socket \/var\/run\/docker\.sock: user nobody \(uid 65534\) may not use it \(it belongs to group '\w+'\)/m,
        /^hint: add the user to that group \(sudo usermod -aG \w+ "\$USER"/m,
      );
    },
  );

  it.skipIf(!isRoot)(
    'a full disk where the Dockerfile goes: exit 14, the path, free space or write elsewhere',
    async () => {
      const full = join(dir, 'full');
      await mkdir(full);
      await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
      try {
        await run('sh', ['-c', `cat /dev/zero > ${full}/filler 2>/dev/null || true`]);
        const result = await runCli([
          'compose',
          '--backend',
          'python',
          '--version',
          '24.09',
          '--dry-run',
          '--offline',
          '--output',
          join(full, 'Dockerfile.compose'),
        ]);
        expectSaid(
          result,
          14,
          new RegExp(`^error: could not write ${full}/Dockerfile\\.compose: ENOSPC: no space left on device`, 'm'),
          new RegExp(
            `^hint: the file system of ${full} is full: free space there \\(df -h ${full}\\), or write elsewhere`,
            'm',
          ),
        );
      } finally {
        await run('umount', [full]);
      }
    },
  );

  it('an unknown release: exit 6, the value and the releases tslim knows', async () => {
    const result = await runCli(compose('--backend', 'python', '--version', '99.99'));
    expectSaid(
      result,
      6,
      /^error: unknown container version '99\.99'; tslim knows 23\.05–/m,
      /^hint: pick a version in that range/m,
    );
  });

  it('a tag the registry does not have: exit 4, the tag, and that the mirror must hold it', async () => {
    const result = await runCli(compose('--backend', 'python', '--version', '25.02', ...worldComposeFlags(world)), {
      env: worldAuth,
    });
    expectSaid(
      result,
      4,
      /^error: image nvcr\.io\/nvidia\/tritonserver:25\.02-py3 \(through 127\.0\.0\.1:\d+\/nvidia\/tritonserver:25\.02-py3\) was not found/m,
      /^hint: check the repository and the tag '25\.02-py3'; a mirror must hold it/m,
    );
  });

  it('credentials the registry refuses: exit 10, the user named, never the password', async () => {
    const ref = `${world.registry.address}/nvidia/tritonserver:first-run-absent`;
    const result = await runCli(['inspect', '--pull', ref, '--username', 'tslim', '--password-stdin'], {
      env: { DOCKER_CONFIG: emptyConfig },
      input: 'not-the-password',
    });
    expectSaid(
      result,
      10,
      /^error: pull of .* was refused .*with credentials from --username\/--password-stdin \(user tslim\)/m,
      /^hint: check the repository name; log in/m,
    );
    expect(result.stderr).not.toContain('not-the-password');
  });

  it('a min image of another release: exit 6, both releases named', async () => {
    const result = await runCli(
      compose('--backend', 'python', '--image', `full=${r2409.full}`, '--image', `min=${r2509.min}`, '--skip-pull'),
      { env: worldAuth },
    );
    expectSaid(result, 6, /is release 24\.09 but the min image .*25\.09/m, /^hint: /m);
  });

  it('a config.pbtxt Triton would refuse (nested 20,000 deep, 1e5 for an int): exit 2, file, line and column', async () => {
    for (const [name, text, said] of [
      [
        'deep',
        `optimization ${'{ '.repeat(20_000)}`,
        "line 1, column 16: expected a field name of ModelOptimizationPolicy, found '{'",
      ],
      [
        'float',
        'name: "m"\nmax_batch_size: 1e5\n',
        "line 2, column 17: 'max_batch_size' is int32: expected an integer, found '1e5'",
      ],
    ] as const) {
      const repo = join(dir, `models-${name}`);
      await mkdir(join(repo, 'm', '1'), { recursive: true });
      await writeFile(join(repo, 'm', 'config.pbtxt'), text);
      const result = await runCli(['verify', 'x:1', '--model-repository', repo], {
        env: { DOCKER_HOST: 'unix:///nonexistent/first-run.sock' },
      });
      expect(result.stderr).not.toMatch(/RangeError|internal/i);
      expectSaid(
        result,
        2,
        new RegExp(
          `^error: ${join(repo, 'm', 'config.pbtxt')} is not a model configuration Triton accepts: ${said.replace(/[()[\]{}.*+?^$|\\]/g, '\\$&')}`,
          'm',
        ),
        /^hint: config\.pbtxt is protobuf text format with the fields of Triton's model_config\.proto/m,
      );
    }
  });
});

describe('a registry that cannot be reached is named as that (exit 11), never as credentials', () => {
  const noCredentials = (r: CliRun): void => expect(r.stderr).not.toMatch(/credentials|docker login/);

  it('compose: a name that does not resolve, with the air-gapped ways out', async () => {
    const result = await runCli(
      compose('--backend', 'onnxruntime', '--version', '24.09', '--registry-mirror', 'nvcr.io=nvcr.invalid'),
      {
        env: { DOCKER_CONFIG: emptyConfig },
      },
    );
    expectSaid(
      result,
      11,
      /^error: cannot reach registry nvcr\.invalid to pull nvcr\.io\/nvidia\/tritonserver:24\.09-py3 \(through nvcr\.invalid\/nvidia\/tritonserver:24\.09-py3\): the name nvcr\.invalid does not resolve; the engine said: .*no such host/m,
      /^hint: .*--registry-mirror nvcr\.io=HOST\/PATH .*docker load -i FILE\) and pass --skip-pull --image full,REF --image min,REF/m,
    );
    noCredentials(result);
  });

  it('compose: nothing listening on the mirror port', async () => {
    const port = await freePort();
    const result = await runCli(
      compose('--backend', 'onnxruntime', '--version', '24.09', '--registry-mirror', `nvcr.io=127.0.0.1:${port}`),
      {
        env: { DOCKER_CONFIG: emptyConfig },
      },
    );
    expectSaid(
      result,
      11,
      new RegExp(
        `^error: cannot reach registry 127\\.0\\.0\\.1:${port} .*nothing accepts connections at 127\\.0\\.0\\.1:${port}`,
        'm',
      ),
      /^hint: check the address and port/m,
    );
    noCredentials(result);
  });

  it('inspect --pull and the verify TensorRT builder name their own way out', async () => {
    const inspect = await runCli(['inspect', '--pull', 'nvcr.invalid/nvidia/tritonserver:24.09-py3'], {
      env: { DOCKER_CONFIG: emptyConfig },
    });
    expectSaid(inspect, 11, /^error: cannot reach registry nvcr\.invalid/m, /and inspect it without --pull$/m);
    noCredentials(inspect);
    const verify = await runCli(
      [
        'verify',
        r2409.full,
        '--backend',
        'tensorrt',
        '--gpus',
        'all',
        '--trt-builder',
        'nvcr.io/nvidia/tritonserver:24.09-py3',
        '--registry-mirror',
        'nvcr.io=nvcr.invalid',
      ],
      { env: { DOCKER_CONFIG: emptyConfig } },
    );
    expectSaid(
      verify,
      11,
      /^error: cannot reach registry nvcr\.invalid to pull nvcr\.io\/nvidia\/tritonserver:24\.09-py3/m,
      /load it \(docker load -i FILE\) and pass --trt-builder REF$/m,
    );
    noCredentials(verify);
  });

  it('push: nothing listening at the target registry', async () => {
    const port = await freePort();
    const result = await runCli(['push', r2409.min, `127.0.0.1:${port}/first-run/x:1`], {
      env: { DOCKER_CONFIG: emptyConfig },
    });
    expectSaid(
      result,
      11,
      new RegExp(
        `^error: cannot reach registry 127\\.0\\.0\\.1:${port} at http://127\\.0\\.0\\.1:${port}: nothing accepts connections`,
        'm',
      ),
      /^hint: check the address and port/m,
    );
    noCredentials(result);
  });
});

describe('the end of a successful compose on a terminal', () => {
  const tag = `tslim-test/first-run-next:${process.pid}`;
  afterAll(async () => {
    await removeImage(connectEngine(), tag, { force: true });
  });

  it('says where the Dockerfile and the build log went and what to run next (stderr), stdout unchanged', async () => {
    const work = await mkdtemp(join(dir, 'work-'));
    // CI=1: no spinner (the TTY stays); stderr is a pseudo-terminal, stdout a pipe
    const { stdout } = await run(
      'python3',
      [
        PTY,
        process.execPath,
        BIN,
        'compose',
        '--version',
        '24.09',
        '--backend',
        'python',
        ...worldComposeFlags(world),
        '--skip-pull',
        '--output-name',
        tag,
        '--work-dir',
        work,
      ],
      { env: { ...process.env, ...worldAuth, CI: '1' }, maxBuffer: 64 * 1024 * 1024 },
    );
    const result = JSON.parse(stdout) as CliRun;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${tag} sha256:[0-9a-f]{64}\\n$`));
    const lines = result.stderr.replace(/\r/g, '').split('\n');
    const at = lines.indexOf(`Dockerfile: ${work}/Dockerfile.compose`);
    expect(at, result.stderr).toBeGreaterThanOrEqual(0);
    expect(lines.slice(at + 1, at + 6)).toEqual([
      expect.stringMatching(new RegExp(`^build log:  ${work}/tslim-build-\\S+\\.log$`)),
      'next:',
      `  tslim verify ${tag} --gpus all`,
      `  tslim push ${tag} REGISTRY/PROJECT/first-run-next:${process.pid}`,
      `  tslim report ${world.registry.address}/nvidia/tritonserver:24.09-py3 ${tag}`,
    ]);
  });

  it('prints none of it without a terminal', async () => {
    const work = await mkdtemp(join(dir, 'work-'));
    const result = await runCli(
      [
        'compose',
        '--version',
        '24.09',
        '--backend',
        'python',
        ...worldComposeFlags(world),
        '--skip-pull',
        '--output-name',
        tag,
        '--work-dir',
        work,
      ],
      { env: worldAuth },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/^next:/m);
    expect(result.stderr).toContain(`wrote ${work}/Dockerfile.compose`);
  });
});
