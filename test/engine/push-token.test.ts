import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/docker/engine.js';
import { newRunId } from '../../src/core/labels.js';
import { silentLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { TslimError } from '../../src/core/errors.js';
import { compressedSizeOf } from '../../src/registry/compressed-size.js';
import type { RegistryAuth } from '../../src/registry/credentials.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { pushImage, type PushRequest } from '../../src/registry/push.js';
import { readWorld } from '../world/read-world.js';
import type { HarborAccount } from '../world/world-types.js';
import { buildTinyImage, removeByLabel } from '../support/tiny-image.js';
import { harborControl } from '../support/harbor-control.js';

// The token-auth side of the world: distribution 2.8 with `auth: token`, the Harbor double (token
// service, API v2.0, /v2 forwarded) and its ingress. Real engine, real registry, no mocks.
const world = readWorld();
const token = world.tokenRegistry;
if (!token) throw new Error('world.json has no tokenRegistry: run `npm run world:token` (or `npm run world`)');
const control = harborControl(token);
const engine = connectEngine();
const runId = `test-token-${newRunId()}`;
const suffix = runId.slice(-6);
const account = (name: string): HarborAccount => {
  const found = token.users.find((u) => u.username === name);
  if (!found) throw new Error(`world.json's tokenRegistry has no user ${name}`);
  return found;
};
const authFor = (user: HarborAccount, host: string): RegistryAuth => ({
  username: user.username,
  password: user.password,
  serveraddress: host,
});
const deps = { engine, log: silentLogger, progress: silentProgress };
const push = (request: PushRequest) => pushImage({ retryBaseMs: 200, ...request }, deps);
const failure = async (p: Promise<unknown>): Promise<TslimError> => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TslimError);
  return error as TslimError;
};
const text = (e: TslimError): string => `${e.message} ${e.hint ?? ''} ${JSON.stringify(e.toJSON())}`;

let small: string;
let small2: string;
let large: string;

beforeAll(async () => {
  small = `tslim-test/token-small:${runId}`;
  small2 = `tslim-test/token-small2:${runId}`;
  large = `tslim-test/token-large:${runId}`;
  await buildTinyImage(engine, small, runId);
  await buildTinyImage(engine, small2, runId);
  await buildTinyImage(engine, large, runId, 3 * 1024 * 1024);
}, 120_000);

afterEach(async () => {
  await control.reset();
});

afterAll(async () => {
  await control.reset();
  await removeByLabel(engine, runId);
});

describe('push to a token-auth registry (distribution auth: token + the Harbor double)', () => {
  it('pushes; digest check and compressed size go through Bearer tokens', async () => {
    const user = account('tslim');
    const auth = authFor(user, token.address);
    const ref = `${token.address}/triton/push-${suffix}:token`;
    const result = await push({ image: small, ref, auth });
    expect(result.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const client = new DistributionClient({ registry: token.address, auth });
    const remote = await client.manifest(`triton/push-${suffix}`, 'token');
    expect(remote?.digest).toBe(result.digest);
    expect(client.usesTokens).toBe(true);
    expect(result.compressedBytes).toBeGreaterThan(60 * 1024);
    const env = {
      TSLIM_REGISTRY_USERNAME: user.username,
      TSLIM_REGISTRY_PASSWORD: user.password,
      DOCKER_CONFIG: '/nonexistent',
    };
    expect(await compressedSizeOf(ref, { env })).toBe(result.compressedBytes);
    // anonymous: the project is private, so the token grants nothing and the registry says so
    const anonymous = await failure(
      new DistributionClient({ registry: token.address }).manifest(`triton/push-${suffix}`, 'token'),
    );
    expect(anonymous.code).toBe('REGISTRY_AUTH');
  }, 120_000);

  it('pushes as a robot account with push permission (robot$triton+ci)', async () => {
    const auth = authFor(account('robot$triton+ci'), token.address);
    const result = await push({ image: small, ref: `${token.address}/triton/robot-${suffix}:ci`, auth });
    const remote = await new DistributionClient({ registry: token.address, auth }).manifest(
      `triton/robot-${suffix}`,
      'ci',
    );
    expect(remote?.digest).toBe(result.digest);
  }, 120_000);

  it('a pull-only robot gets an error naming the permission to grant; nothing is pushed', async () => {
    const robot = account('robot$triton+pull');
    const auth = authFor(robot, token.address);
    const error = await failure(push({ image: small, ref: `${token.address}/triton/denied-${suffix}:x`, auth }));
    expect(error.code).toBe('REGISTRY_AUTH');
    expect(error.message).toContain("'robot$triton+pull' may not push");
    expect(error.message).toContain('grants only pull');
    expect(error.hint).toContain('give robot$triton+pull push permission on project triton');
    expect(text(error)).not.toContain(robot.password);
    const admin = authFor(account('tslim'), token.address);
    expect(
      await new DistributionClient({ registry: token.address, auth: admin }).manifest(`triton/denied-${suffix}`, 'x'),
    ).toBeUndefined();
  }, 60_000);

  it('a wrong password is REGISTRY_AUTH from the token service, without the password', async () => {
    const auth = { ...authFor(account('robot$triton+ci'), token.address), password: 'definitely-wrong-pw' };
    const error = await failure(push({ image: small, ref: `${token.address}/triton/badpw-${suffix}:x`, auth }));
    expect(error.code).toBe('REGISTRY_AUTH');
    expect(error.message).toContain('token service');
    expect(error.message).toContain('robot$triton+ci');
    expect(text(error)).not.toContain('definitely-wrong-pw');
  }, 60_000);

  it("renews a token the registry rejects on a 401, although the token service's expires_in said it was good", async () => {
    // a 2 s token advertised as 10 min: only the registry's 401 can tell tslim it is gone
    await control.tokenLifetime(2, 600);
    const auth = authFor(account('tslim'), token.address);
    await push({ image: small2, ref: `${token.address}/triton/renew-${suffix}:a`, auth });
    const client = new DistributionClient({ registry: token.address, auth });
    const first = await client.manifest(`triton/renew-${suffix}`, 'a');
    expect(client.tokensFetched).toBe(1);
    await new Promise((r) => setTimeout(r, 3000));
    const second = await client.manifest(`triton/renew-${suffix}`, 'a');
    expect(second?.digest).toBe(first?.digest);
    expect(client.tokensFetched).toBe(2);
  }, 120_000);

  it('a token that expires mid-push (before the manifest PUT) is renewed and the push completes', async () => {
    // 3 s tokens; the Harbor front holds the first manifest PUT for 4.5 s, so the engine's token
    // (which dockerd keeps for at least 60 s) is dead when the PUT reaches the registry
    await control.tokenLifetime(3);
    await control.delayManifestPuts(1, 4500);
    const user = account('robot$triton+ci');
    const before = (await control.stats()).tokens[user.username] ?? 0;
    const auth = authFor(user, token.harbor);
    const result = await push({ image: small2, ref: `${token.harbor}/triton/expiry-${suffix}:mid`, auth });
    expect((await control.stats()).delayedManifestPuts).toBeGreaterThanOrEqual(1);
    expect(result.tokenRenewals).toBe(1);
    expect(result.attempts).toBe(2);
    const remote = await new DistributionClient({ registry: token.harbor, auth }).manifest(
      `triton/expiry-${suffix}`,
      'mid',
    );
    expect(remote?.digest).toBe(result.digest);
    // engine tokens of both pushes plus tslim's own checks
    expect(((await control.stats()).tokens[user.username] ?? 0) - before).toBeGreaterThanOrEqual(4);
  }, 180_000);
});

describe('--harbor against the Harbor API double', () => {
  it('checks the project, pushes, and finds the artifact through the Harbor API', async () => {
    const auth = authFor(account('robot$triton+ci'), token.harbor);
    const ref = `${token.harbor}/triton/harbor-${suffix}/server:h1`;
    const result = await push({ image: small, ref, auth, harbor: true });
    expect(result.harbor?.project).toBe('triton');
    // Harbor's size counts manifest and config too
    expect(result.harbor?.artifactSize).toBeGreaterThan(result.compressedBytes ?? Infinity);
    const basic = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    const repos = (await (
      await fetch(`http://${token.harbor}/api/v2.0/projects/triton/repositories`, { headers: { authorization: basic } })
    ).json()) as { name: string }[];
    expect(repos.map((r) => r.name)).toContain(`triton/harbor-${suffix}/server`);
  }, 120_000);

  it('a missing project names the fix before anything is pushed', async () => {
    const auth = authFor(account('tslim'), token.harbor);
    const error = await failure(
      push({ image: small, ref: `${token.harbor}/nosuch-${suffix}/server:x`, auth, harbor: true }),
    );
    expect(error.code).toBe('REGISTRY_FAILED');
    expect(error.message).toContain(`Harbor project 'nosuch-${suffix}' does not exist`);
    expect(error.hint).toContain(`create project nosuch-${suffix} in Harbor`);
    expect(error.hint).toContain('or push to an existing one');
  }, 60_000);

  it('without --harbor, a missing project still fails before the engine push: its token grants nothing', async () => {
    const auth = authFor(account('tslim'), token.address);
    const error = await failure(push({ image: small, ref: `${token.address}/nosuch-${suffix}/server:x`, auth }));
    expect(error.code).toBe('REGISTRY_AUTH');
    expect(error.message).toContain('grants nothing');
  }, 60_000);

  it("a 413 from the ingress names nginx's client_max_body_size; small images pass the same ingress", async () => {
    const auth = authFor(account('robot$triton+ci'), token.ingress);
    const ok = await push({ image: small, ref: `${token.ingress}/triton/ingress-${suffix}:small`, auth, harbor: true });
    expect(ok.digest).toMatch(/^sha256:/);
    const before = (await control.stats()).ingress413;
    const started: string[] = [];
    const watched = { ...deps, progress: { ...silentProgress, start: (m: string) => void started.push(m) } };
    const error = await failure(
      pushImage(
        { retryBaseMs: 200, image: large, ref: `${token.ingress}/triton/ingress-${suffix}:large`, auth, harbor: true },
        watched,
      ),
    );
    expect((await control.stats()).ingress413).toBeGreaterThan(before);
    expect(error.code).toBe('REGISTRY_FAILED');
    expect(error.message).toContain('413');
    expect(error.hint).toContain('raise the ingress body size limit');
    expect(error.hint).toContain('client_max_body_size 0');
    // not retried by tslim: a 413 will not pass on a second try. (dockerd retries the blob upload
    // itself, 4 to 8 times seen depending on load, so the ingress's count says nothing of tslim.)
    expect(started.filter((m) => m.startsWith('pushing '))).toHaveLength(1);
    expect(started.join('\n')).not.toContain('(try ');
  }, 120_000);
});
