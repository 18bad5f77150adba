import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/docker/engine.js';
import { newRunId } from '../../src/core/labels.js';
import { silentLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { TslimError } from '../../src/core/errors.js';
import { resolveAuth, type RegistryAuth } from '../../src/registry/credentials.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { pushImage, type PushRequest } from '../../src/registry/push.js';
import { readWorld } from '../world/read-world.js';
import { buildTinyImage, removeByLabel } from '../support/tiny-image.js';
import { startFlakyProxy } from '../support/flaky-proxy.js';

const world = readWorld();
const engine = connectEngine();
const runId = `test-push-${newRunId()}`;
const registry = world.registry.address;
const repo = `tslim-test/push-${runId.slice(-6)}`;
const [plain, robot] = world.registry.users;
let tmp: string;
let imageA: string;
let imageB: string;
let big: string;

const deps = { engine, log: silentLogger, progress: silentProgress };
const authFor = (user: { username: string; password: string } | undefined, host = registry): RegistryAuth => {
  if (!user) throw new Error('world.json has fewer registry users than expected');
  return { username: user.username, password: user.password, serveraddress: host };
};
const push = (request: PushRequest) => pushImage({ retryBaseMs: 200, ...request }, deps);

async function remoteDigest(tag: string, auth: RegistryAuth, host = registry): Promise<string | undefined> {
  return (await new DistributionClient({ registry: host, auth }).manifest(repo, tag))?.digest;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tslim-push-'));
  imageA = `tslim-test/push-a:${runId}`;
  imageB = `tslim-test/push-b:${runId}`;
  big = `tslim-test/push-big:${runId}`;
  await buildTinyImage(engine, imageA, runId);
  await buildTinyImage(engine, imageB, runId);
  await buildTinyImage(engine, big, runId, 6 * 1024 * 1024);
}, 120_000);

afterAll(async () => {
  await removeByLabel(engine, runId);
  await rm(tmp, { recursive: true, force: true });
});

describe('push to the world registry', () => {
  it("pushes with the htpasswd user; the digest read back equals the engine's", async () => {
    const auth = authFor(plain);
    const result = await push({ image: imageA, ref: `${registry}/${repo}:htpasswd`, auth });
    expect(result.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await remoteDigest('htpasswd', auth)).toBe(result.digest);
    expect(result.compressedBytes).toBeGreaterThan(60 * 1024);
    // the temporary tag is gone; the image itself stays
    await expect(engine.getImage(`${registry}/${repo}:htpasswd`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(engine.getImage(imageA).inspect()).resolves.toBeTruthy();
  }, 120_000);

  it('pushes as the robot-style user found in config.json', async () => {
    const dir = join(tmp, 'config-auths');
    await mkdir(dir, { recursive: true });
    const user = authFor(robot);
    const entry = Buffer.from(`${user.username}:${user.password}`).toString('base64');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [`http://${registry}`]: { auth: entry } } }));
    const auth = await resolveAuth(registry, { env: { DOCKER_CONFIG: dir } });
    expect(auth?.username).toBe('robot$tools+ci');
    const result = await push({ image: imageA, ref: `${registry}/${repo}:robot-config`, ...(auth ? { auth } : {}) });
    expect(await remoteDigest('robot-config', user)).toBe(result.digest);
  }, 120_000);

  it('pushes with credentials from a credential helper executable', async () => {
    const bin = join(tmp, 'bin');
    await mkdir(bin, { recursive: true });
    const user = authFor(robot);
    const helper = join(bin, 'docker-credential-tslimworld');
    await writeFile(
      helper,
      `#!/usr/bin/env node
let host = '';
process.stdin.on('data', (c) => (host += c));
process.stdin.on('end', () => {
  if (host.trim() !== ${JSON.stringify(registry)}) { process.stdout.write('credentials not found in native keychain'); process.exit(1); }
  process.stdout.write(JSON.stringify({ ServerURL: host.trim(), Username: ${JSON.stringify(user.username)}, Secret: ${JSON.stringify(user.password)} }));
});
`,
    );
    await chmod(helper, 0o755);
    const dir = join(tmp, 'config-helper');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify({ credHelpers: { [registry]: 'tslimworld' } }));
    const auth = await resolveAuth(registry, { env: { DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    expect(auth).toEqual(user);
    const result = await push({ image: imageB, ref: `${registry}/${repo}:helper`, ...(auth ? { auth } : {}) });
    expect(await remoteDigest('helper', user)).toBe(result.digest);
  }, 120_000);

  it('refuses to overwrite a tag holding another image unless --force; the same image is fine', async () => {
    const auth = authFor(plain);
    const first = await push({ image: imageA, ref: `${registry}/${repo}:guarded`, auth });
    const refused = (await push({ image: imageB, ref: `${registry}/${repo}:guarded`, auth }).catch(
      (e: unknown) => e,
    )) as TslimError;
    expect(refused).toBeInstanceOf(TslimError);
    expect(refused.code).toBe('TAG_EXISTS');
    expect(refused.exitCode).toBe(12);
    expect(refused.message).toContain(first.digest);
    expect(await remoteDigest('guarded', auth)).toBe(first.digest);
    const again = await push({ image: imageA, ref: `${registry}/${repo}:guarded`, auth });
    expect(again.digest).toBe(first.digest);
    const forced = await push({ image: imageB, ref: `${registry}/${repo}:guarded`, auth, force: true });
    expect(forced.replaced).toBe(first.digest);
    expect(await remoteDigest('guarded', auth)).toBe(forced.digest);
  }, 180_000);

  it('fails on a wrong password with REGISTRY_AUTH naming registry and user, not the password', async () => {
    const auth = { ...authFor(robot), password: 'definitely-wrong-pw' };
    const error = (await push({ image: imageA, ref: `${registry}/${repo}:badpw`, auth }).catch(
      (e: unknown) => e,
    )) as TslimError;
    expect(error.code).toBe('REGISTRY_AUTH');
    expect(error.message).toContain(registry);
    expect(error.message).toContain('robot$tools+ci');
    expect(`${error.message} ${error.hint ?? ''} ${JSON.stringify(error.toJSON())}`).not.toContain(
      'definitely-wrong-pw',
    );
  }, 60_000);

  it('survives a registry that drops the connection mid-blob and fails a manifest PUT', async () => {
    const proxy = await startFlakyProxy({
      target: registry,
      dropBlobUploads: 1,
      dropAfterBytes: 512 * 1024,
      failManifestPuts: 1,
    });
    try {
      const auth = authFor(plain, proxy.address);
      const result = await push({ image: big, ref: `${proxy.address}/${repo}:flaky`, auth });
      expect(proxy.stats.blobDrops).toBe(1);
      expect(proxy.stats.manifest503).toBe(1);
      // the 503 on the manifest made the engine fail the push; tslim's retry pushed again
      expect(result.attempts).toBe(2);
      expect(await remoteDigest('flaky', authFor(plain))).toBe(result.digest);
    } finally {
      await proxy.close();
    }
  }, 180_000);
});
