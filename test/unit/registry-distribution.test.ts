import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { parseChallenge, sha256Digest, digestFromPushEvents } from '../../src/registry/digest.js';
import { checkHarborProject } from '../../src/registry/harbor.js';
import { type TslimError } from '../../src/core/errors.js';

const USER = 'robot$tools+ci';
const PASSWORD = 'p:a$s+w';
const TOKEN = 'tok-123';
const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { digest: 'sha256:' + 'c'.repeat(64), size: 10 },
  layers: [
    { size: 100, digest: 'sha256:' + 'a'.repeat(64) },
    { size: 250, digest: 'sha256:' + 'b'.repeat(64) },
  ],
});
const DIGEST = sha256Digest(Buffer.from(manifest));
const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let server: Server;
let registry: string;
const seen: string[] = [];

/** A registry double on 127.0.0.1: /basic/* wants Basic, /bearer/* wants a token from /token. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', `http://${registry}`);
  seen.push(`${req.method} ${url.pathname}${url.search} ${req.headers.authorization ?? '-'}`);
  if (url.pathname === '/token') {
    if (req.headers.authorization !== basic) return void res.writeHead(401).end();
    expect(url.searchParams.get('service')).toBe('test-registry');
    return void res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token: TOKEN, scope: url.searchParams.get('scope') }));
  }
  if (url.pathname === '/api/v2.0/projects') {
    if (req.headers.authorization !== basic) return void res.writeHead(401).end();
    return void res.writeHead(url.searchParams.get('project_name') === 'tools' ? 200 : 404).end();
  }
  const m = /^\/v2\/(basic|bearer)\/([\w/]+)\/manifests\/([\w.-]+)$/.exec(url.pathname);
  if (!m) return void res.writeHead(404).end();
  const [, mode, name, tag] = m;
  const ok = mode === 'basic' ? req.headers.authorization === basic : req.headers.authorization === `Bearer ${TOKEN}`;
  if (!ok) {
    const challenge =
      mode === 'basic'
        ? 'Basic realm="test"'
        : `Bearer realm="http://${registry}/token",service="test-registry",scope="repository:${mode}/${name}:pull"`;
    return void res.writeHead(401, { 'www-authenticate': challenge }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
  }
  if (tag === 'missing') return void res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
  if (tag === 'flaky') return void res.writeHead(503).end('busy');
  expect(req.headers.accept).toContain('application/vnd.oci.image.manifest.v1+json');
  res
    .writeHead(200, {
      'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
      'docker-content-digest': DIGEST,
    })
    .end(manifest);
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const auth = () => ({ username: USER, password: PASSWORD, serveraddress: registry });

describe('DistributionClient', () => {
  it('answers a Basic challenge and reads digest, config and compressed size', async () => {
    const client = new DistributionClient({ registry, auth: auth() });
    expect(client.baseUrl).toBe(`http://${registry}`);
    await expect(client.manifest('basic/nvidia/tritonserver', 'slim')).resolves.toEqual({
      digest: DIGEST,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      configDigest: 'sha256:' + 'c'.repeat(64),
      compressedBytes: 350,
    });
  });

  it('gets a Bearer token with Basic credentials, then retries with it', async () => {
    seen.length = 0;
    const client = new DistributionClient({ registry, auth: auth() });
    const found = await client.manifest('bearer/nvidia/tritonserver', 'slim');
    expect(found?.digest).toBe(DIGEST);
    expect(seen[0]).toMatch(/^GET \/v2\/bearer\/nvidia\/tritonserver\/manifests\/slim -$/);
    expect(seen[1]).toContain('scope=repository%3Abearer%2Fnvidia%2Ftritonserver%3Apull');
    expect(seen[1]).toContain(basic);
    expect(seen[2]).toContain(`Bearer ${TOKEN}`);
  });

  it('returns undefined for a missing tag', async () => {
    await expect(
      new DistributionClient({ registry, auth: auth() }).manifest('basic/x', 'missing'),
    ).resolves.toBeUndefined();
  });

  it('fails with REGISTRY_AUTH naming registry and user, never the password', async () => {
    for (const mode of ['basic', 'bearer']) {
      const client = new DistributionClient({ registry, auth: { ...auth(), password: 'wrong-password' } });
      const error = (await client.manifest(`${mode}/x`, 'slim').catch((e: unknown) => e)) as TslimError;
      expect(error.code).toBe('REGISTRY_AUTH');
      expect(error.message).toContain(registry);
      expect(error.message).toContain(USER);
      expect(JSON.stringify(error.toJSON())).not.toContain('wrong-password');
    }
    const anonymous = (await new DistributionClient({ registry })
      .manifest('basic/x', 'slim')
      .catch((e: unknown) => e)) as TslimError;
    expect(anonymous.code).toBe('REGISTRY_AUTH');
    expect(anonymous.message).toContain('anonymous');
  });

  it('reports a 5xx with its status (so retry can see it is transient)', async () => {
    const error = (await new DistributionClient({ registry, auth: auth() })
      .manifest('basic/x', 'flaky')
      .catch((e: unknown) => e)) as TslimError;
    expect(error.code).toBe('REGISTRY_FAILED');
    expect(error.details?.status).toBe(503);
  });

  it('uses https for non-loopback registries unless --insecure', () => {
    expect(new DistributionClient({ registry: 'harbor.example.com' }).baseUrl).toBe('https://harbor.example.com');
    expect(new DistributionClient({ registry: 'harbor.example.com:8080', insecure: true }).baseUrl).toBe(
      'http://harbor.example.com:8080',
    );
    expect(new DistributionClient({ registry: 'localhost:5000' }).baseUrl).toBe('http://localhost:5000');
  });

  it('checks a Harbor project exists', async () => {
    const client = new DistributionClient({ registry, auth: auth() });
    await expect(checkHarborProject(client, 'tools/tritonserver', registry)).resolves.toBeUndefined();
    const error = (await checkHarborProject(client, 'nope/tritonserver', registry).catch(
      (e: unknown) => e,
    )) as TslimError;
    expect(error.message).toContain("Harbor project 'nope' does not exist");
  });
});

describe('digest helpers', () => {
  it('parses Bearer and Basic challenges, quoted commas included', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
  });

  it('reads the digest from a push stream aux line, or the status line of old engines', () => {
    const d = 'sha256:' + 'e'.repeat(64);
    expect(digestFromPushEvents([{ status: 'Pushed' }, { aux: { Tag: 'x', Digest: d, Size: 1 } }])).toBe(d);
    expect(digestFromPushEvents([{ status: `x: digest: ${d} size: 1234` }])).toBe(d);
    expect(digestFromPushEvents([{ status: 'Pushed' }])).toBeUndefined();
  });
});
