import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LABEL } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { followStream } from '../../src/docker/json-stream.js';
import { inspectImage } from '../../src/inspect/inspect-image.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { removeByLabel, removeImageRefs } from '../support/tiny-image.js';
import { worldComposeFlags } from '../support/world-flags.js';
import { readWorld } from '../world/read-world.js';

/**
 * tslim against Podman's Docker-compatible API (podman system service). Needs the service that
 * `sudo bash scripts/podman.sh` starts (Debian's podman, socket below, with the containers.conf
 * ulimits and registries.conf the script writes); skipped without it.
 * TSLIM_PODMAN_SOCK names another socket. Run it alone: `bash scripts/podman.sh && TSLIM_WORLD_SKIP_UP=1 npx vitest run --project engine test/engine/podman.test.ts`.
 * The images come over from the world's Docker engine (`docker save` | POST /images/load on Podman).
 */
const SOCK = process.env.TSLIM_PODMAN_SOCK || '/run/tslim-podman/podman.sock';
const PODMAN_HOST = `unix://${SOCK}`;
const available = existsSync(SOCK);
const why = available ? '' : ` (skipped: no Podman socket at ${SOCK}; run \`sudo bash scripts/podman.sh\` first)`;

const world = readWorld();
const full = world.releases['24.09']?.full ?? '';
const min = world.releases['24.09']?.min ?? '';
const docker = connectEngine();
const podman = connectEngine({ host: PODMAN_HOST });
const loaded: string[] = [];
/** Trimmed images (and their untrimmed ones) the trim test made on Podman. */
const trimmed: string[] = [];
const trimRuns: string[] = [];
const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
/** The slim image compose builds on Podman; verify, push and report use it. */
const slim = `tslim-test/podman-${suffix}:slim`;
let built: { id: string; runId: string } | undefined;

async function loadIntoPodman(ref: string): Promise<void> {
  const has = await podman
    .getImage(ref)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (has) return;
  const tar = await docker.getImage(ref).get();
  await followStream(await podman.loadImage(tar), { what: `load of ${ref} into Podman` });
  loaded.push(ref);
}

function builtSlim(): { id: string; runId: string } {
  if (!built) throw new Error(`the compose test did not build ${slim} on Podman`);
  return built;
}

/** Containers on Podman that carry tslim's run label. */
async function tslimContainers(): Promise<string[]> {
  const list = await podman.listContainers({ all: true, filters: { label: [RUN_LABEL] } });
  return list.map((c) => c.Id);
}

beforeAll(async () => {
  if (!available) return;
  await loadIntoPodman(full);
  await loadIntoPodman(min);
}, 300_000);

afterAll(async () => {
  if (!available) return;
  // the slim image, and the stage images Podman keeps (they carry the build's labels too)
  await podman
    .getImage(slim)
    .remove({ force: true })
    .catch(() => undefined);
  await removeImageRefs(podman, trimmed);
  if (built) await removeByLabel(podman, built.runId);
  for (const runId of trimRuns) await removeByLabel(podman, runId);
  for (const ref of loaded) await podman.getImage(ref).remove({ force: true });
}, 120_000);

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

  it('inspect gives the same facts as on Docker (du in a container; Docker: its layer store), except the image size Podman computes', async () => {
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
    // containers start on Podman now (scripts/podman.sh's default_ulimits): du measures there; tslim
    // reads Docker's overlay2 layer store, not Podman's, so `auto` moves on to du on Podman
    expect(p.sizeMethod).toBe('du');
    expect(d.sizeMethod).toBe('layers');
    expect({ ...p, size: 0, sizeMethod: '' }).toEqual({ ...d, size: 0, sizeMethod: '' });
    // Podman's Size is its own sum of the layers it stored (docs/engines.md); within 5% of Docker's
    expect(Math.abs((p.size as number) / (d.size as number) - 1)).toBeLessThan(0.05);
  });
  it('compose builds on Buildah (classic): the kept backend, tslim labels, Podman names', async () => {
    const workDir = await tempDir('podman-compose');
    const started = Date.now();
    const run = await runCli(
      [
        'compose',
        ...['--backend', 'python', '--version', '24.09'],
        ...['--image', `full=${full}`, '--image', `min=${min}`, '--skip-pull'],
        ...['--output-name', slim, '--work-dir', workDir, '--json'],
        ...worldComposeFlags(world),
      ],
      { env },
    );
    expect(run.stderr).not.toMatch(/error:/);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { image: { id: string; tag: string; builder: string } };
    expect(out.image).toMatchObject({ tag: slim, builder: 'classic' });
    const raw = await podman.getImage(slim).inspect();
    expect(raw.Id.replace(/^sha256:/, '')).toBe(out.image.id.replace(/^sha256:/, ''));
    // Podman names a built image docker.io/…; the short name still finds it
    expect(raw.RepoTags).toContain(`docker.io/${slim}`);
    const labels = raw.Config.Labels ?? {};
    expect(labels['dev.tslim.backends']).toBe('python');
    expect(labels['dev.tslim.source.min']).toBe(min);
    expect(labels['io.buildah.version']).toMatch(/^\d+\.\d+/);
    const runId = labels[RUN_LABEL];
    expect(runId).toBeTruthy();
    built = { id: raw.Id, runId: runId ?? '' };
    const facts = await inspectImage(podman, slim, { role: 'full', payload: true });
    expect(facts.backends.map((b) => b.name)).toEqual(['python']);
    expect(facts.tritonVersion).toBe(world.releases['24.09']?.triton);
    console.info(`[podman] compose --backend python built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 600_000);

  it('verify starts the slim image on Podman and the python backend answers', async () => {
    const { id } = builtSlim();
    const before = await tslimContainers();
    const run = await runCli(['verify', slim, '--gpus', 'none', '--json'], { env });
    expect(run.stderr).not.toMatch(/error:/);
    expect(run.code).toBe(0);
    const { verify } = JSON.parse(run.stdout) as {
      verify: { ok: boolean; image: string; results: { backend: string; status: string }[] };
    };
    expect(verify.ok).toBe(true);
    expect(verify.results).toEqual([expect.objectContaining({ backend: 'python', status: 'passed' })]);
    expect(await tslimContainers()).toEqual(before);
    expect((await podman.getImage(slim).inspect()).Id).toBe(id);
  }, 300_000);

  it('push from Podman lands in the registry with the digest tslim read back', async () => {
    const { id } = builtSlim();
    // localhost:PORT, which scripts/podman.sh's registries.conf does not list: only tslim's
    // tlsVerify=false lets Podman push there over plain HTTP
    const host = world.registry.address.replace(/^127\.0\.0\.1:/, 'localhost:');
    const repo = `tslim-test/podman-${suffix}`;
    const user = world.registry.users[0];
    if (!user) throw new Error('world.json has no registry user');
    const run = await runCli(
      ['push', slim, `${host}/${repo}:slim`, '--username', user.username, '--password-stdin', '--json'],
      { env, input: user.password },
    );
    expect(run.stderr).not.toMatch(/error:/);
    expect(run.code).toBe(0);
    const { push } = JSON.parse(run.stdout) as { push: { digest: string; imageId: string } };
    expect(push.imageId).toBe(id);
    const auth = { username: user.username, password: user.password, serveraddress: host };
    const remote = await new DistributionClient({ registry: host, auth }).manifest(repo, 'slim');
    expect(remote?.digest).toBe(push.digest);
    // Podman pushes the config as it stored it: the config digest is the image id
    expect(remote?.configDigest).toBe(id);
    await expect(podman.getImage(`${host}/${repo}:slim`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 300_000);

  it('compose --trim writes the trimmed image on Podman layer by layer, shares -min, and verifies', async () => {
    const out = `tslim-test/podman-${suffix}:trim`;
    trimmed.push(out, `${out}-untrimmed`);
    const result = await runCli(
      [
        'compose',
        ...['--backend', 'python', '--version', '24.09'],
        ...['--image', `full=${full}`, '--image', `min=${min}`, '--skip-pull'],
        ...['--output-name', out, '--work-dir', await tempDir('podman-trim'), '--gpus', 'none', '--trim', '--json'],
        ...worldComposeFlags(world),
      ],
      { env },
    );
    // the build's stage images carry its run label: removed with it afterwards
    const labels: Record<string, string> = await podman
      .getImage(`${out}-untrimmed`)
      .inspect()
      .then((i) => i.Config.Labels ?? {})
      .catch(() => ({}));
    if (labels[RUN_LABEL]) trimRuns.push(labels[RUN_LABEL]);
    expect(result.stderr).not.toMatch(/error:/);
    expect(result.code).toBe(0);
    const { verify, trim } = JSON.parse(result.stdout) as {
      verify: { ok: boolean };
      trim: { layers: { from: string; diffId: string }[]; base: { min: string; layers: number } };
    };
    const minLayers = (await podman.getImage(min).inspect()).RootFS.Layers ?? [];
    expect(verify.ok).toBe(true);
    const image = await podman.getImage(out).inspect();
    expect(image.RootFS.Layers).toEqual(trim.layers.map((l) => l.diffId));
    expect(trim.base).toEqual({ min, layers: minLayers.length });
    // the layers that lost nothing are -min's own on Podman too
    expect(image.RootFS.Layers!.filter((l) => minLayers.includes(l)).length).toBeGreaterThan(0);
  }, 900_000);

  it('report compares the full and the slim image on Podman', async () => {
    const { id } = builtSlim();
    const run = await runCli(['report', full, slim, '--json'], { env });
    expect(run.stderr).not.toMatch(/error:/);
    expect(run.code).toBe(0);
    const { report } = JSON.parse(run.stdout) as {
      report: {
        slim: { id: string; bytes: number };
        full: { bytes: number };
        saved: { bytes: number };
        layers: { shared: number };
        components: { kind: string; name: string; status: string }[];
      };
    };
    expect(report.slim.id).toBe(id);
    expect(report.saved.bytes).toBe(report.full.bytes - report.slim.bytes);
    expect(report.saved.bytes).toBeGreaterThan(0);
    expect(report.layers.shared).toBeGreaterThan(0);
    const kept = report.components.filter((c) => c.status === 'kept').map((c) => `${c.kind}/${c.name}`);
    expect(kept).toEqual(['backends/python']);
    const backends = Object.keys(world.releases['24.09']?.payload.backends ?? {});
    expect(report.components.filter((c) => c.kind === 'backends')).toHaveLength(backends.length);
  }, 120_000);
});
