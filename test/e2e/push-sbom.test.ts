import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunId } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { listReferrers, referrersTag } from '../../src/registry/referrers.js';
import { runCli as tslim } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { buildTinyImage, removeByLabel } from '../support/tiny-image.js';
import { readWorld } from '../world/read-world.js';

// `tslim push --sbom` (built CLI): the SBOM goes up as an OCI 1.1 artifact whose subject is the
// pushed manifest. Debian's registry (distribution 2.8) has no referrers API: the tag schema. The
// Harbor double serves the referrers API (as Harbor 2.8+ does); a private instance of it runs here
// (this checkout's code, its own ports) in front of the world's token registry, so the world's
// shared double is left as it is.
const world = readWorld();
const token = world.tokenRegistry;
if (!token) throw new Error('world.json has no tokenRegistry: run `npm run world`');
const engine = connectEngine();
const runId = `test-e2e-sbom-${newRunId()}`;
const suffix = runId.slice(-6);
const image = `tslim-test/e2e-sbom:${runId}`;
const basic = world.registry.users[0]!;
const admin = token.users.find((u) => u.username === 'tslim')!;
const CDX = 'application/vnd.cyclonedx+json';
let harbor: { address: string; child: ChildProcess } | undefined;

interface PushJson {
  ok: boolean;
  push?: {
    ref: string;
    digest: string;
    attached?: { digest: string; via: string; tag?: string; artifactType: string };
  };
  error?: { code: string; message: string };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function startHarborDouble(): Promise<{ address: string; child: ChildProcess }> {
  const worldDir = path.dirname(
    process.env.TSLIM_WORLD_JSON ?? fileURLToPath(new URL('../../.world/world.json', import.meta.url)),
  );
  const config = JSON.parse(await readFile(path.join(worldDir, 'token-registry', 'harbor.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const [harborPort, ingressPort] = [await freePort(), await freePort()];
  const dir = await tempDir('harbor');
  const file = path.join(dir, 'harbor.json');
  await writeFile(file, JSON.stringify({ ...config, harborPort, ingressPort }), { mode: 0o600 });
  const server = fileURLToPath(new URL('../world/harbor/server.mjs', import.meta.url));
  const child = spawn(process.execPath, [server, file], { stdio: 'ignore' });
  const address = `127.0.0.1:${harborPort}`;
  for (let i = 0; i < 100; i += 1) {
    const ok = await fetch(`http://${address}/api/v2.0/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { address, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the private Harbor double did not answer');
}

beforeAll(async () => {
  await buildTinyImage(engine, image, runId, 4096, 'scratch', ['ENV TRITON_SERVER_VERSION=2.50.0']);
  harbor = await startHarborDouble();
}, 120_000);

afterAll(async () => {
  harbor?.child.kill();
  await removeByLabel(engine, runId);
});

async function checkReferrer(
  client: DistributionClient,
  repository: string,
  subject: string,
  attached: NonNullable<NonNullable<PushJson['push']>['attached']>,
  via: 'referrers-api' | 'tag-schema',
): Promise<void> {
  expect(attached.via).toBe(via);
  expect(attached.artifactType).toBe(CDX);
  const list = await listReferrers(client, repository, subject);
  expect(list?.via).toBe(via);
  expect(list?.manifests.map((m) => m.digest)).toContain(attached.digest);
  const manifest = await client.request('GET', `/v2/${repository}/manifests/${attached.digest}`, {
    accept: 'application/vnd.oci.image.manifest.v1+json',
    scope: `repository:${repository}:pull`,
  });
  expect(manifest.status).toBe(200);
  const json = (await manifest.json()) as {
    artifactType: string;
    subject: { digest: string };
    layers: { digest: string; mediaType: string }[];
  };
  expect(json.artifactType).toBe(CDX);
  expect(json.subject.digest).toBe(subject);
  const blob = await client.request('GET', `/v2/${repository}/blobs/${json.layers[0]!.digest}`, {
    scope: `repository:${repository}:pull`,
  });
  const sbom = (await blob.json()) as {
    bomFormat: string;
    specVersion: string;
    metadata: { component: { name: string } };
  };
  expect(sbom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
  expect(sbom.metadata.component.name).toBe(image);
}

describe('tslim push --sbom (built CLI)', () => {
  it("Debian's registry (no referrers API): the referrers tag schema, read back", async () => {
    const repository = `sbom/e2e-${suffix}`;
    const target = `${world.registry.address}/${repository}:one`;
    const env = { TSLIM_REGISTRY_USERNAME: basic.username, TSLIM_REGISTRY_PASSWORD: basic.password };
    const r = await tslim(['push', image, target, '--sbom', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as PushJson;
    const attached = out.push!.attached!;
    expect(attached.tag).toBe(referrersTag(out.push!.digest));
    const client = new DistributionClient({
      registry: world.registry.address,
      auth: { ...basic, serveraddress: world.registry.address },
    });
    await checkReferrer(client, repository, out.push!.digest, attached, 'tag-schema');
    // the registry has no API: a GET of it is 404, so the tag is the only list there is
    const api = await client.request('GET', `/v2/${repository}/referrers/${out.push!.digest}`, {
      scope: `repository:${repository}:pull`,
    });
    expect(api.status).toBe(404);

    // a second SBOM of the same image joins the same index (the first stays listed)
    const again = await tslim(['push', image, target, '--sbom', '--json'], { env });
    expect(again.code, again.stderr).toBe(0);
    const second = (JSON.parse(again.stdout) as PushJson).push!.attached!;
    const list = await listReferrers(client, repository, out.push!.digest);
    expect(list?.manifests.map((m) => m.digest)).toEqual(expect.arrayContaining([attached.digest, second.digest]));
  }, 180_000);

  it('the Harbor double (referrers API): OCI-Subject, listed by GET /v2/<name>/referrers/<digest>', async () => {
    const address = harbor!.address;
    const repository = `triton/e2e-sbom-${suffix}`;
    const env = { TSLIM_REGISTRY_USERNAME: admin.username, TSLIM_REGISTRY_PASSWORD: admin.password };
    const r = await tslim(['push', image, `${address}/${repository}:one`, '--sbom', '--harbor', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as PushJson;
    const client = new DistributionClient({
      registry: address,
      auth: { username: admin.username, password: admin.password, serveraddress: address },
    });
    await checkReferrer(client, repository, out.push!.digest, out.push!.attached!, 'referrers-api');
    expect(out.push!.attached!.tag).toBeUndefined();
    // no referrers tag was written: the API is the list
    const tag = await client.manifest(repository, referrersTag(out.push!.digest));
    expect(tag).toBeUndefined();
    // filtered by artifactType, as the spec's query
    const filtered = await client.request('GET', `/v2/${repository}/referrers/${out.push!.digest}?artifactType=other`, {
      scope: `repository:${repository}:pull`,
    });
    expect(((await filtered.json()) as { manifests: unknown[] }).manifests).toEqual([]);
  }, 180_000);

  it('--sbom goes with --push in compose', async () => {
    const r = await tslim(['compose', '--backend', 'python', '--version', '24.09', '--dry-run', '--offline', '--sbom']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--sbom goes with --push');
  });
});
