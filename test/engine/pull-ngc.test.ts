import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/docker/engine.js';
import { newRunId } from '../../src/core/labels.js';
import { TslimError } from '../../src/core/errors.js';
import { imageExists, removeImage } from '../../src/docker/images.js';
import type { StreamEvent } from '../../src/docker/json-stream.js';
import { pullFromRegistry } from '../../src/registry/pull.js';
import { readWorld } from '../world/read-world.js';
import { harborControl } from '../support/harbor-control.js';
import { startFlakyProxy } from '../support/flaky-proxy.js';
import { emptyDockerConfig, pushNgcFixture, type NgcFixture } from '../support/ngc-fixture.js';
import { removeByLabel } from '../support/tiny-image.js';

// NGC pulls against the world's token registry (distribution 2.8, auth: token) and the Harbor-core
// token double, which holds `$oauthtoken` with a world-made NGC API key: the same exchange nvcr.io
// does. nvcr.io/nvidia/X is mirrored to <token registry>/nvidia/X. Real engine, no mocks.
const world = readWorld();
const token = world.tokenRegistry;
if (!token) throw new Error('world.json has no tokenRegistry: run `npm run world:token` (or `npm run world`)');
const control = harborControl(token);
const engine = connectEngine();
const runId = `test-ngc-${newRunId()}`;
let fx: NgcFixture;

const envWith = async (extra: NodeJS.ProcessEnv, auths?: Record<string, { auth: string }>) => {
  const dir = await emptyDockerConfig(auths);
  return { PATH: process.env.PATH, DOCKER_CONFIG: dir, HOME: dir, ...extra };
};
const failure = async (p: Promise<unknown>): Promise<TslimError> => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TslimError);
  return error as TslimError;
};
const everything = (e: TslimError): string => `${e.message} ${e.hint ?? ''} ${JSON.stringify(e.toJSON())}`;

beforeAll(async () => {
  fx = await pushNgcFixture(engine, token, runId);
}, 180_000);
afterEach(async () => {
  await control.reset();
  await removeByLabel(engine, runId);
});
afterAll(async () => {
  await removeByLabel(engine, runId);
});

describe('NGC pulls through a mirror to the token registry', () => {
  it('pulls nvcr.io/... as $oauthtoken with NGC_API_KEY, with per-layer bytes/total in the stream', async () => {
    const events: StreamEvent[] = [];
    const before = (await control.stats()).tokens.$oauthtoken ?? 0;
    const creds = await pullFromRegistry(
      engine,
      { requested: fx.requested, used: fx.used },
      { env: await envWith({ NGC_API_KEY: fx.key }), onEvent: (e) => events.push(e) },
    );
    expect(creds.source).toBe('NGC_API_KEY');
    expect(creds.auth?.username).toBe('$oauthtoken');
    expect(await imageExists(engine, fx.used)).toBe(true);
    expect((await control.stats()).tokens.$oauthtoken ?? 0).toBeGreaterThan(before);
    const downloading = events.filter((e) => e.status === 'Downloading' && e.progressDetail?.total);
    expect(downloading.length).toBeGreaterThan(0);
    // the random layer is incompressible: its compressed total is about its size
    expect(Math.max(...downloading.map((e) => e.progressDetail?.total ?? 0))).toBeGreaterThan(fx.layerBytes * 0.9);
  }, 60_000);

  it('pulls with the docker config auths for nvcr.io (docker login nvcr.io) when NGC_API_KEY is unset', async () => {
    const auth = Buffer.from(`$oauthtoken:${fx.key}`).toString('base64');
    const creds = await pullFromRegistry(
      engine,
      { requested: fx.requested, used: fx.used },
      { env: await envWith({}, { 'nvcr.io': { auth } }) },
    );
    expect(creds.source).toBe('docker config auths for nvcr.io');
    expect(await imageExists(engine, fx.used)).toBe(true);
  }, 60_000);

  it('without credentials: refused, naming the repository and "none"', async () => {
    const error = await failure(
      pullFromRegistry(engine, { requested: fx.requested, used: fx.used }, { env: await envWith({}) }),
    );
    expect(error.code).toBe('REGISTRY_AUTH');
    expect(error.message).toContain(fx.requested);
    expect(error.message).toContain('no credentials');
    expect(error.details?.credentials).toBe('none');
    expect(await imageExists(engine, fx.used)).toBe(false);
  }, 60_000);

  it('a wrong key: refused, naming NGC_API_KEY, never the key', async () => {
    const wrong = `nvapi-wrong-${runId}`;
    const error = await failure(
      pullFromRegistry(
        engine,
        { requested: fx.requested, used: fx.used },
        { env: await envWith({ NGC_API_KEY: wrong }), attempts: 1 },
      ),
    );
    expect(error.code).toBe('REGISTRY_AUTH');
    expect(error.message).toContain(fx.requested);
    expect(error.message).toContain('NGC_API_KEY');
    expect(everything(error)).not.toContain(wrong);
  }, 60_000);

  it('a missing image with a good key: names the repository and the credential source, never the key', async () => {
    const missing = fx.requested.replace(/:[^:]+$/, ':no-such-tag');
    const error = await failure(
      pullFromRegistry(
        engine,
        { requested: missing, used: fx.used.replace(/:[^:]+$/, ':no-such-tag') },
        { env: await envWith({ NGC_API_KEY: fx.key }) },
      ),
    );
    expect(['IMAGE_NOT_FOUND', 'REGISTRY_AUTH']).toContain(error.code);
    expect(error.message).toContain(missing);
    expect(error.message).toContain('NGC_API_KEY');
    expect(everything(error)).not.toContain(fx.key);
  }, 60_000);

  it('survives a connection dropped in the middle of a layer download', async () => {
    const proxy = await startFlakyProxy({ target: token.address, dropBlobDownloads: 1, dropAfterBytes: 512 * 1024 });
    try {
      const used = fx.used.replace(token.address, proxy.address);
      await pullFromRegistry(
        engine,
        { requested: fx.requested, used },
        { env: await envWith({ NGC_API_KEY: fx.key }), baseDelayMs: 200 },
      );
      expect(proxy.stats.downloadDrops).toBe(1);
      expect(await imageExists(engine, used)).toBe(true);
      await removeImage(engine, used, { force: true });
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('retries the pull call when the manifest request is cut (the engine gives up on it)', async () => {
    const proxy = await startFlakyProxy({ target: token.address, dropManifestGets: 1 });
    const retries: string[] = [];
    try {
      const used = fx.used.replace(token.address, proxy.address);
      await pullFromRegistry(
        engine,
        { requested: fx.requested, used },
        {
          env: await envWith({ NGC_API_KEY: fx.key }),
          baseDelayMs: 200,
          onRetry: ({ error }) => retries.push((error as Error).message),
        },
      );
      expect(proxy.stats.manifestGetDrops).toBe(1);
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatch(/EOF|reset/i);
      expect(await imageExists(engine, used)).toBe(true);
    } finally {
      await proxy.close();
    }
  }, 120_000);
});
