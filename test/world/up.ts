import { mkdir } from 'node:fs/promises';
import { ensureFlatRepo } from './apt-repo.js';
import { pruneReplaced, snapshotIds } from './prune.js';
import { withWorldLock } from './lock.js';
import { BASE_TAG, ensureBaseImage } from './base-image.js';
import { worldEngine } from './engine.js';
import { ensureRelease } from './fixture-images.js';
import { ensureHttpServer, httpPort } from './http-server.js';
import { progress } from './log.js';
import { worldDir } from './paths.js';
import { ensurePipIndex } from './pip-index.js';
import { pushFixture } from './push.js';
import { dcgmPackages } from './recipe-packages.js';
import { worldNamespace } from './name.js';
import { ensureHarborWorld } from './harbor-world.js';
import { ensureRegistry } from './registry.js';
import { fixtureTags, releases } from './releases.js';
import { writeWorldJson } from './world-json.js';
import { ensureRealPair, REAL_PIP_INDEX, REAL_RELEASE, REAL_TAGS } from './real-pair.js';
import type { World } from './world-types.js';

export const DEFAULT_SCALE = 0.01;

export interface UpOptions {
  scale?: number;
  /** World namespace (default: TSLIM_WORLD_NAME, else the default test world). */
  name?: string;
  /** Push the fixture images to the world registry (default true; TSLIM_WORLD_PUSH=0 turns it off). */
  push?: boolean;
  /** Only these releases ("24.09"): a bench world at scale 1 holds one, not all (disk). Default: all. */
  releases?: readonly string[];
}

/** Builds what is missing or stale, starts what is not running, writes .world/world.json. */
export async function up(options: UpOptions = {}): Promise<World> {
  await mkdir(worldDir, { recursive: true });
  return withWorldLock(() => upLocked(options));
}

async function upLocked(options: UpOptions): Promise<World> {
  const scale = options.scale ?? Number(process.env.TSLIM_WORLD_SCALE ?? DEFAULT_SCALE);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new Error(`invalid scale '${scale}': expected a positive number such as 0.01 or 1`);
  const ns = worldNamespace(options.name);
  const chosen = options.releases ? releases.filter((r) => options.releases!.includes(r.container)) : releases;
  if (chosen.length === 0)
    throw new Error(
      `no release ${options.releases!.join(', ')}: the world has ${releases.map((r) => r.container).join(', ')}`,
    );
  const push = options.push ?? process.env.TSLIM_WORLD_PUSH !== '0';
  const started = Date.now();
  const engine = worldEngine();
  await engine.ping().catch((cause: unknown) => {
    throw new Error(
      'no Docker engine reachable: run `npm run engine` (as root it installs and starts dockerd) or set DOCKER_HOST',
      { cause },
    );
  });

  // The real Triton pair belongs to the default world (TSLIM_WORLD_REAL=0 leaves it out).
  const withReal = ns.name === undefined && process.env.TSLIM_WORLD_REAL !== '0';
  // Children first: full, then min, then base.
  const worldTags = [
    ...(withReal ? [REAL_TAGS.full, REAL_TAGS.min] : []),
    ...chosen.flatMap((r) => [
      fixtureTags(r.container, ns.imageRepository).full,
      fixtureTags(r.container, ns.imageRepository).min,
    ]),
    BASE_TAG,
  ];
  const before = await snapshotIds(engine, worldTags);

  const http = `http://127.0.0.1:${httpPort()}`;
  const httpPid = await ensureHttpServer();
  const base = await ensureBaseImage(engine, `${http}/apt`);
  await ensureFlatRepo(
    'apt',
    base.dummies.map((name) => ({ name, version: '0.0.1-tslim1', description: `tslim test-world dummy for ${name}` })),
  );
  await ensureFlatRepo(
    'cuda',
    dcgmPackages.map((p) => ({
      name: p.name,
      version: p.version,
      description: `tslim test-world stand-in for ${p.name}`,
    })),
  );
  await ensurePipIndex();

  const registry = await ensureRegistry();
  const token = await ensureHarborWorld();
  const out: World['releases'] = {};
  for (const release of chosen) {
    const built = await ensureRelease(engine, base.hash, base.tag, release, scale, ns.imageRepository);
    if (push) {
      await pushFixture(engine, registry, built.min, ns);
      await pushFixture(engine, registry, built.full, ns);
    }
    out[release.container] = { full: built.full, min: built.min, triton: built.triton, payload: built.payload };
  }

  const fixtureMin = out[REAL_RELEASE]?.min;
  const real = withReal && fixtureMin ? await ensureRealPair(engine, base.tag, fixtureMin) : undefined;

  const world: World = {
    scale,
    base: base.tag,
    releases: out,
    registry: {
      address: registry.address,
      repository: ns.registryRepository,
      ...(push ? {} : { pushed: false }),
      users: registry.users,
      credentialsFile: registry.credentialsFile,
      dockerConfig: registry.dockerConfig,
    },
    mirror: `nvcr.io=${registry.address}`,
    apt: { url: `${http}/apt`, cudaRepo: `${http}/cuda` },
    pypi: { url: `${http}/simple`, trustedHost: '127.0.0.1' },
    ...(real
      ? {
          real: {
            full: real.full,
            min: real.min,
            pypi: { url: `${http}/${REAL_PIP_INDEX}`, trustedHost: '127.0.0.1' },
          },
        }
      : {}),
    pids: { http: httpPid, registry: registry.pid, ...token.pids },
    tokenRegistry: token.world,
  };
  await pruneReplaced(engine, before, worldTags);
  await writeWorldJson(world, ns.jsonPath);
  progress(`world${ns.name ? ` '${ns.name}'` : ''} up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return world;
}
