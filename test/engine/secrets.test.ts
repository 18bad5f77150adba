import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/run-cli.js';
import { spawnCli } from '../support/spawn-cli.js';
import { engine, removeImage, uniqueTag, world } from './compose-helpers.js';

/**
 * Proxy credentials and the registry password must not reach anything tslim makes or prints:
 * image layers, history, image config, Dockerfile.compose, build logs, stdout/stderr (-v and --json).
 * The build runs without the layer cache so every RUN step really executes with the proxy args set
 * (NO_PROXY keeps the world's apt and pip on loopback reachable).
 */
const PROXY_SECRET = 'PROXYSECRET';
const proxy = `http://user:${PROXY_SECRET}@127.0.0.1:3128`;
const robot = world.registry.users.find((u) => u.username.startsWith('robot$')) ?? world.registry.users[0]!;
const SECRETS = [PROXY_SECRET, robot.password];

const tag = uniqueTag('secrets');
const repo = `tslim-test/secrets-${Date.now().toString(36)}`;
let dir = '';
let verbose: CliRun;
let json: CliRun;
const seen = new Map<string, string[]>();

function compose(extra: string[], out: string): string[] {
  return [
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
    '--http-proxy',
    proxy,
    '--https-proxy',
    proxy,
    '--no-proxy',
    '127.0.0.1,localhost',
    '--username',
    robot.username,
    '--password-stdin',
    '--output-name',
    out,
    '--work-dir',
    dir,
    ...extra,
  ];
}

/** Scans a stream for the secrets, across chunk boundaries. */
async function scanStream(stream: NodeJS.ReadableStream): Promise<string[]> {
  const found = new Set<string>();
  const overlap = Math.max(...SECRETS.map((s) => s.length));
  let tail = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf = Buffer.concat([tail, chunk]);
    for (const s of SECRETS) if (buf.includes(s)) found.add(s);
    tail = buf.subarray(Math.max(0, buf.length - overlap));
  }
  return [...found];
}

/** Every file of `docker save` (manifest, config, each layer tar as a whole) scanned for the secrets. */
async function scanSavedImage(ref: string): Promise<Record<string, string[]>> {
  const hits: Record<string, string[]> = {};
  const tar = extract();
  const body = await engine.getImage(ref).get();
  const done = new Promise<void>((resolve, reject) => {
    tar.on('entry', (header, stream, next) => {
      scanStream(stream as unknown as NodeJS.ReadableStream).then((found) => {
        if (found.length > 0) hits[header.name] = found;
        next();
      }, reject);
    });
    tar.on('finish', resolve);
    tar.on('error', reject);
  });
  body.pipe(tar);
  await done;
  return hits;
}

const secretsIn = (text: string): string[] => SECRETS.filter((s) => text.includes(s));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tslim-secrets-'));
  const target = `${world.registry.address}/${repo}`;
  // with -v: the build output on stderr, the push with the robot account
  verbose = await runCli(compose(['--no-cache', '-v', '--push', `${target}:1`], tag), { input: `${robot.password}\n` });
  // with --json, also a failing run, whose error and build log must be clean too
  json = await runCli(compose(['--json', '--push', `${target}:2`], tag), { input: `${robot.password}\n` });
});

afterAll(async () => {
  await removeImage(tag);
  await rm(dir, { recursive: true, force: true });
});

describe('secrets stay out of everything tslim makes or prints', () => {
  it('the runs succeed (so there is something to search)', () => {
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stderr).toMatch(/Step \d+\/\d+ : RUN apt-get update/);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, push: { ref: `${world.registry.address}/${repo}:2` } });
  });

  it('not in stdout or stderr (-v and --json)', () => {
    seen.set('verbose', [...secretsIn(verbose.stdout), ...secretsIn(verbose.stderr)]);
    seen.set('json', [...secretsIn(json.stdout), ...secretsIn(json.stderr)]);
    expect(Object.fromEntries(seen)).toEqual({ verbose: [], json: [] });
  });

  it('not in the written Dockerfile or any build log', async () => {
    const files = await readdir(dir);
    expect(files).toContain('Dockerfile.compose');
    const hits: Record<string, string[]> = {};
    for (const f of files) {
      const found = secretsIn(await readFile(join(dir, f), 'utf8'));
      if (found.length > 0) hits[f] = found;
    }
    expect(hits).toEqual({});
  });

  it('not in the image history or config (Config, ContainerConfig)', async () => {
    const image = engine.getImage(tag);
    expect(secretsIn(JSON.stringify(await image.history()))).toEqual([]);
    const inspect = await image.inspect();
    expect(secretsIn(JSON.stringify(inspect))).toEqual([]);
  });

  it('not in any layer or file of `docker save`', async () => {
    // the scanner itself finds a secret split across two chunks
    expect(await scanStream(Readable.from([Buffer.from('..PROXY'), Buffer.from('SECRET..')]))).toEqual([PROXY_SECRET]);
    expect(await scanSavedImage(tag)).toEqual({});
  });

  it('a failed build keeps its log without the secrets', async () => {
    const failDir = await mkdtemp(join(tmpdir(), 'tslim-secrets-fail-'));
    try {
      const cli = spawnCli([
        'compose',
        '--version',
        '24.09',
        '--backend',
        'python',
        '--registry-mirror',
        world.mirror,
        '--cuda-repo',
        'http://127.0.0.1:9/cuda',
        '--pip-index-url',
        world.pypi.url,
        '--pip-trusted-host',
        world.pypi.trustedHost,
        '--skip-pull',
        '--http-proxy',
        proxy,
        '--https-proxy',
        proxy,
        '--no-proxy',
        '127.0.0.1,localhost',
        '--no-cache',
        '-v',
        '--json',
        '--output-name',
        uniqueTag('secrets-fail'),
        '--work-dir',
        failDir,
      ]);
      const run = await cli.done;
      expect(run.code, run.stderr).toBe(7);
      expect(secretsIn(run.stdout + run.stderr)).toEqual([]);
      const logs = (await readdir(failDir)).filter((f) => f.startsWith('tslim-build-'));
      expect(logs).toHaveLength(1);
      expect(secretsIn(await readFile(join(failDir, logs[0]!), 'utf8'))).toEqual([]);
    } finally {
      await rm(failDir, { recursive: true, force: true });
    }
  });
});
