import { afterAll, describe, expect, it } from 'vitest';
import { newRunId } from '../../src/core/labels.js';
import { TslimError } from '../../src/core/errors.js';
import { connectEngine } from '../../src/docker/engine.js';
import { sweepContainers } from '../../src/docker/containers.js';
import { imageExists } from '../../src/docker/images.js';
import { parseRegistryMirror } from '../../src/compose/mirrors.js';
import { pullFromRegistry } from '../../src/registry/pull.js';
import { FULL_IMAGE_LABEL, resolveTrtBuilder } from '../../src/verify/trt-plan.js';
import { readWorld } from '../world/read-world.js';
import { emptyDockerConfig, pushNgcFixture } from '../support/ngc-fixture.js';
import { removeByLabel } from '../support/tiny-image.js';

// --registry-mirror for the verify TensorRT builder: a `--trt-builder nvcr.io/...` (or the
// dev.tslim.source.full label) is rewritten through the mirrors as compose rewrites its FROM images,
// and pulled with NGC's credentials from the world's token registry. A stand-in trtexec: no TensorRT here.
const world = readWorld();
const token = world.tokenRegistry;
if (!token) throw new Error('world.json has no tokenRegistry: run `npm run world:token` (or `npm run world`)');
const engine = connectEngine();
const runId = `test-trt-mirror-${newRunId()}`;

afterAll(async () => {
  await sweepContainers(engine, runId);
  await removeByLabel(engine, runId);
});

describe('verify builder image through --registry-mirror', () => {
  it('rewrites --trt-builder nvcr.io/... to the mirror, pulls it with the NGC key, and finds trtexec', async () => {
    const fx = await pushNgcFixture(engine, token, runId, {
      name: 'trt',
      layerBytes: 64 * 1024,
      trtexec: '#!/bin/sh\n',
    });
    const dir = await emptyDockerConfig();
    const env = { PATH: process.env.PATH, DOCKER_CONFIG: dir, HOME: dir, NGC_API_KEY: fx.key };
    const pulled: string[][] = [];
    const pull = async (requested: string, used: string): Promise<void> => {
      pulled.push([requested, used]);
      await pullFromRegistry(engine, { requested, used }, { env });
    };
    const mirrors = [parseRegistryMirror(fx.mirror)];
    expect(await imageExists(engine, fx.used)).toBe(false);

    // without the mirror the nvcr.io name is looked up as is: not in the engine, and nothing is pulled from nvcr.io here
    const error = await resolveTrtBuilder(engine, 'unused', {}, fx.requested, runId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TslimError);
    expect((error as Error).message).toContain(fx.requested);

    const builder = await resolveTrtBuilder(engine, 'unused', {}, fx.requested, runId, undefined, { mirrors, pull });
    expect(builder).toEqual({ kind: 'image', image: fx.used });
    expect(pulled).toEqual([[fx.requested, fx.used]]);
    expect(await imageExists(engine, fx.used)).toBe(true);

    // the label of a slim image names the full image; a nvcr.io name there is mirrored too
    const fromLabel = await resolveTrtBuilder(
      engine,
      'unused',
      { [FULL_IMAGE_LABEL]: fx.requested },
      undefined,
      runId,
      undefined,
      {
        mirrors,
      },
    );
    expect(fromLabel).toEqual({ kind: 'image', image: fx.used });
  }, 180_000);
});
