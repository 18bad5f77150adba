import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/docker/engine.js';
import { followStream } from '../../src/docker/json-stream.js';
import { runCli } from '../support/run-cli.js';
import { readWorld } from '../world/read-world.js';

/**
 * tslim against Podman's Docker-compatible API (podman system service). Needs the service that
 * `sudo bash scripts/podman.sh` starts (Debian's podman, socket below); skipped without it.
 * TSLIM_PODMAN_SOCK names another socket. Run it alone: `bash scripts/podman.sh && TSLIM_WORLD_SKIP_UP=1 npx vitest run --project engine test/engine/podman.test.ts`.
 * The image comes over from the world's Docker engine (`docker save` | POST /images/load on Podman).
 */
const SOCK = process.env.TSLIM_PODMAN_SOCK || '/run/tslim-podman/podman.sock';
const PODMAN_HOST = `unix://${SOCK}`;
const available = existsSync(SOCK);
const why = available ? '' : ` (skipped: no Podman socket at ${SOCK}; run \`sudo bash scripts/podman.sh\` first)`;

const world = readWorld();
const full = world.releases['24.09']?.full ?? '';
const docker = connectEngine();
const podman = connectEngine({ host: PODMAN_HOST });
let loaded = false;

beforeAll(async () => {
  if (!available) return;
  const has = await podman
    .getImage(full)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (has) return;
  const tar = await docker.getImage(full).get();
  await followStream(await podman.loadImage(tar), { what: `load of ${full} into Podman` });
  loaded = true;
});

afterAll(async () => {
  if (loaded) await podman.getImage(full).remove({ force: true });
});

describe.skipIf(!available)(`tslim on Podman${why}`, () => {
  const env = { DOCKER_HOST: PODMAN_HOST };

  it('doctor names Podman, its API, no BuildKit, and the Podman limits', async () => {
    const run = await runCli(['doctor', '--json'], { env });
    expect(run.code).toBe(0);
    const { doctor } = JSON.parse(run.stdout) as {
      doctor: {
        endpoint: { source: string };
        engine: { kind: string; name: string; apiVersion: string };
        builders: { buildkit: { offered: boolean; why: string } };
        limits: string[];
      };
    };
    expect(doctor.endpoint.source).toBe('DOCKER_HOST');
    expect(doctor.engine).toMatchObject({ kind: 'podman', name: 'Podman' });
    expect(doctor.engine.apiVersion).toMatch(/^1\.\d+$/);
    expect(doctor.builders.buildkit).toEqual({ offered: false, why: 'a Podman engine (Buildah, not BuildKit)' });
    expect(doctor.limits).toContainEqual(expect.stringMatching(/^Podman: /));
  });

  it('inspect gives the same facts as on Docker, except the image size Podman computes', async () => {
    const [onPodman, onDocker] = await Promise.all([
      runCli(['inspect', full, '--json'], { env }),
      runCli(['inspect', full, '--json']),
    ]);
    expect(onPodman.stderr).not.toMatch(/error:/);
    expect(onPodman.code).toBe(0);
    expect(onDocker.code).toBe(0);
    const p = (JSON.parse(onPodman.stdout) as { image: Record<string, unknown> }).image;
    const d = (JSON.parse(onDocker.stdout) as { image: Record<string, unknown> }).image;
    expect(p.tritonVersion).toBe('2.50.0');
    // the sizes agree whichever way each engine measured them (du in a container, or the stream)
    expect({ ...p, size: 0, sizeMethod: '' }).toEqual({ ...d, size: 0, sizeMethod: '' });
    // Podman's Size is its own sum of the layers it stored (docs/engines.md); within 5% of Docker's
    expect(Math.abs((p.size as number) / (d.size as number) - 1)).toBeLessThan(0.05);
  });
});
