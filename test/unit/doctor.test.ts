import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TslimError } from '../../src/core/errors.js';
import { describeEndpoint, resolveEndpoint } from '../../src/docker/endpoint.js';
import { parseInfo, parseVersion } from '../../src/docker/system.js';
import { assessLimits, engineKind, isRootless, type DoctorReport } from '../../src/doctor/assess.js';
import { formatDoctor } from '../../src/doctor/format.js';
import { credentialSources } from '../../src/registry/credential-sources.js';
import { tempDir } from '../support/temp-dir.js';

/** A docker config dir with contexts written the way `docker context create` lays them out. */
async function configWithContexts(config: unknown, contexts: Record<string, string>, tls: string[] = []) {
  const dir = await tempDir('doctor-ctx');
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  for (const [name, host] of Object.entries(contexts)) {
    const id = createHash('sha256').update(name).digest('hex');
    await mkdir(join(dir, 'contexts', 'meta', id), { recursive: true });
    const meta = { Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } };
    await writeFile(join(dir, 'contexts', 'meta', id, 'meta.json'), JSON.stringify(meta));
    if (tls.includes(name)) {
      await mkdir(join(dir, 'contexts', 'tls', id, 'docker'), { recursive: true });
      for (const f of ['ca.pem', 'cert.pem', 'key.pem'])
        await writeFile(join(dir, 'contexts', 'tls', id, 'docker', f), 'x');
    }
  }
  return dir;
}

describe('resolveEndpoint (the docker CLI order)', () => {
  it('DOCKER_HOST wins over DOCKER_CONTEXT and currentContext', async () => {
    const dir = await configWithContexts({ currentContext: 'remote' }, { remote: 'tcp://10.0.0.1:2376' });
    const env = { DOCKER_CONFIG: dir, DOCKER_HOST: 'unix:///x.sock', DOCKER_CONTEXT: 'remote' };
    expect(resolveEndpoint(env)).toEqual({ host: 'unix:///x.sock', source: 'DOCKER_HOST' });
  });

  it('DOCKER_CONTEXT wins over currentContext; contexts resolve through meta.json with TLS files', async () => {
    const dir = await configWithContexts({ currentContext: 'a' }, { a: 'unix:///a.sock', b: 'tcp://127.0.0.1:2376' }, [
      'b',
    ]);
    expect(resolveEndpoint({ DOCKER_CONFIG: dir })).toEqual({
      host: 'unix:///a.sock',
      source: 'currentContext',
      context: 'a',
    });
    const b = resolveEndpoint({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'b' });
    expect(b).toMatchObject({ host: 'tcp://127.0.0.1:2376', source: 'DOCKER_CONTEXT', context: 'b' });
    expect(b.tls?.ca).toMatch(/contexts\/tls\/[0-9a-f]{64}\/docker\/ca\.pem$/);
    expect(describeEndpoint(b)).toBe("tcp://127.0.0.1:2376 (docker context 'b' from DOCKER_CONTEXT)");
  });

  it('no config, or the default context, is the local socket', async () => {
    const empty = await tempDir('doctor-empty');
    expect(resolveEndpoint({ DOCKER_CONFIG: empty })).toEqual({
      host: 'unix:///var/run/docker.sock',
      source: 'default',
    });
    const dir = await configWithContexts({ currentContext: 'default' }, {});
    expect(resolveEndpoint({ DOCKER_CONFIG: dir }).source).toBe('default');
  });

  it('a context without metadata is a usage error naming it', async () => {
    const dir = await configWithContexts({ currentContext: 'gone' }, {});
    expect(() => resolveEndpoint({ DOCKER_CONFIG: dir })).toThrow(TslimError);
    expect(() => resolveEndpoint({ DOCKER_CONFIG: dir })).toThrow(/docker context 'gone' has no docker endpoint/);
  });
});

const dockerVersion = parseVersion({
  Platform: { Name: 'Docker Engine - Community' },
  Components: [
    { Name: 'Engine', Version: '27.3.1' },
    { Name: 'containerd', Version: '1.7.22' },
  ],
  Version: '27.3.1',
  ApiVersion: '1.47',
  MinAPIVersion: '1.24',
  Os: 'linux',
  Arch: 'amd64',
});
const podmanVersion = parseVersion({
  Platform: { Name: 'linux/amd64/debian-12' },
  Components: [{ Name: 'Podman Engine', Version: '4.3.1', Details: { APIVersion: '4.3.1' } }],
  Version: '4.3.1',
  ApiVersion: '1.41',
  MinAPIVersion: '1.24',
  Os: 'linux',
  Arch: 'amd64',
});

describe('engine facts', () => {
  it('tells Docker from Podman by /version Components', () => {
    expect(engineKind(dockerVersion)).toBe('docker');
    expect(engineKind(podmanVersion)).toBe('podman');
    expect(engineKind(parseVersion({ Version: '20.10.24', ApiVersion: '1.41' }))).toBe('docker');
  });

  it('reads runtimes, CDI dirs and rootless from /info, tolerating missing fields', () => {
    const info = parseInfo({
      Runtimes: { runc: { path: 'runc' }, nvidia: { path: 'nvidia-container-runtime' } },
      DefaultRuntime: 'runc',
      CDISpecDirs: ['/etc/cdi', '/var/run/cdi'],
      SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless'],
    });
    expect(info).toMatchObject({ runtimes: ['nvidia', 'runc'], cdiSpecDirs: ['/etc/cdi', '/var/run/cdi'] });
    expect(isRootless(info)).toBe(true);
    const bare = parseInfo({ Runtimes: null });
    expect(bare).toEqual({ runtimes: [], securityOptions: [] });
    expect(isRootless(bare)).toBe(false);
  });
});

function report(over: Partial<Omit<DoctorReport, 'limits'>> = {}): Omit<DoctorReport, 'limits'> {
  return {
    endpoint: { host: 'unix:///var/run/docker.sock', source: 'default' },
    engine: {
      kind: 'docker',
      name: 'Docker Engine',
      version: '27.3.1',
      apiVersion: '1.47',
      os: 'linux',
      arch: 'amd64',
      rootless: false,
    },
    builders: { classic: true, buildkit: { offered: true, why: 'Builder-Version 2' }, bridgeNetwork: true },
    gpu: { runtimes: ['nvidia', 'runc'], nvidiaRuntime: true, cdi: { dirs: ['/etc/cdi'], from: 'engine' } },
    credentials: { configDir: '/root/.docker', sources: [], missingHelpers: [] },
    ...over,
  };
}

describe('assessLimits', () => {
  it('nothing on a GPU Docker engine with BuildKit, CDI and a bridge network', () => {
    expect(assessLimits(report())).toEqual([]);
  });

  it('no runtime and no CDI: verify needs --gpus none', () => {
    const limits = assessLimits(
      report({ gpu: { runtimes: ['runc'], nvidiaRuntime: false, cdi: { dirs: [], from: 'none' } } }),
    );
    expect(limits).toEqual([expect.stringMatching(/no GPU runtime.*--gpus none/)]);
  });

  it('CDI dirs on an API older than 1.44 do not count (DeviceRequests have no cdi driver there)', () => {
    const r = report({
      gpu: { runtimes: ['runc'], nvidiaRuntime: false, cdi: { dirs: ['/etc/cdi'], from: 'local-dirs' } },
    });
    r.engine.apiVersion = '1.41';
    expect(assessLimits(r)[0]).toMatch(/no GPU runtime/);
  });

  it('Podman: no BuildKit, and the Podman note', () => {
    const r = report({
      builders: {
        classic: true,
        buildkit: { offered: false, why: 'a Podman engine (Buildah, not BuildKit)' },
        bridgeNetwork: true,
      },
    });
    r.engine.kind = 'podman';
    const limits = assessLimits(r);
    expect(limits).toContainEqual(expect.stringMatching(/^BuildKit unavailable \(a Podman engine/));
    expect(limits).toContainEqual(expect.stringMatching(/^Podman: builds run on Buildah/));
    expect(limits).toContainEqual(expect.stringMatching(/^Podman: pulls .* plain-HTTP registry.* registries\.conf/));
  });

  it('a missing credential helper is named', () => {
    const r = report({ credentials: { configDir: '/c', sources: [], missingHelpers: ['docker-credential-pass'] } });
    expect(assessLimits(r)).toEqual([expect.stringMatching(/^docker-credential-pass .* not on PATH/)]);
  });
});

describe('credentialSources', () => {
  const secret = Buffer.from('user:s3cret-pw').toString('base64');

  it('names the source per registry, never the secret', () => {
    const sources = credentialSources(
      {
        auths: {
          'https://index.docker.io/v1/': { auth: secret },
          'nvcr.io': {},
          'harbor.example:8443': { identitytoken: 'IDTOK-9f2' },
        },
        credHelpers: { 'gcr.io': 'gcloud', 'NVCR.IO': 'ngc' },
      },
      { TSLIM_REGISTRY_USERNAME: 'u', TSLIM_REGISTRY_PASSWORD: 'p' },
    );
    expect(sources).toEqual([
      { registry: '*', source: 'env' },
      { registry: 'gcr.io', source: 'credHelpers', helper: 'gcloud' },
      { registry: 'nvcr.io', source: 'credHelpers', helper: 'ngc' },
      { registry: 'index.docker.io', source: 'auths' },
      { registry: 'harbor.example:8443', source: 'auths (identity token)' },
    ]);
    expect(JSON.stringify(sources)).not.toMatch(/s3cret|IDTOK|dXNlcj/);
  });

  it('auths entries beside a credsStore live in the store', () => {
    expect(credentialSources({ auths: { 'reg.local:5000': {} }, credsStore: 'pass' }, {})).toEqual([
      { registry: 'reg.local:5000', source: 'credsStore', helper: 'pass' },
    ]);
    expect(credentialSources(undefined, {})).toEqual([]);
  });
});

describe('formatDoctor', () => {
  it('prints the endpoint, the facts, credentials and limits', () => {
    const r = report({
      credentials: { configDir: '/c', sources: [{ registry: 'nvcr.io', source: 'auths' }], missingHelpers: [] },
    });
    const text = formatDoctor({ ...r, limits: ['x will not work'] });
    expect(text).toMatch(/^engine +unix:\/\/\/var\/run\/docker\.sock \(default socket\)$/m);
    expect(text).toMatch(/^name +Docker Engine 27\.3\.1$/m);
    expect(text).toMatch(/^cdi +\/etc\/cdi \(from the engine\)$/m);
    expect(text).toMatch(/^ {2}nvcr\.io {2}auths$/m);
    expect(text).toMatch(/^ {2}- x will not work$/m);
  });
});
