import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { readWorld } from '../world/read-world.js';

const world = readWorld();
/** The socket the world's engine answers on (the tests run with DOCKER_HOST unset or set to it). */
const liveHost = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';

/** A DOCKER_CONFIG whose currentContext is `name`, laid out as `docker context create` does. */
async function contextConfig(name: string, host: string): Promise<string> {
  const dir = await tempDir('doctor-e2e');
  const id = createHash('sha256').update(name).digest('hex');
  await mkdir(join(dir, 'contexts', 'meta', id), { recursive: true });
  await writeFile(
    join(dir, 'contexts', 'meta', id, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
  await writeFile(join(dir, 'config.json'), JSON.stringify({ currentContext: name }));
  return dir;
}

interface DoctorJson {
  ok: boolean;
  doctor: {
    endpoint: { host: string; source: string; context?: string };
    engine: { kind: string; apiVersion: string };
    credentials: { sources: { registry: string; source: string }[] };
    limits: string[];
  };
}

describe('tslim doctor (built CLI)', () => {
  it('--json: one object naming the engine, how it was reached, and the credentials found', async () => {
    const run = await runCli(['doctor', '--json'], { env: { DOCKER_CONFIG: world.registry.dockerConfig } });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as DoctorJson;
    expect(result.ok).toBe(true);
    expect(result.doctor.endpoint.host).toBe(liveHost);
    expect(result.doctor.engine.kind).toBe('docker');
    expect(result.doctor.engine.apiVersion).toMatch(/^1\.\d+$/);
    expect(result.doctor.credentials.sources).toContainEqual({ registry: world.registry.address, source: 'auths' });
    expect(run.stdout).not.toContain(world.registry.users[0]?.password ?? '<none>');
  });

  it('honours the docker context in config.json when DOCKER_HOST is unset', async () => {
    const dir = await contextConfig('tslim-live', liveHost);
    const run = await runCli(['doctor', '--json'], { env: { DOCKER_CONFIG: dir, DOCKER_HOST: '' } });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as DoctorJson).doctor.endpoint).toEqual({
      host: liveHost,
      source: 'currentContext',
      context: 'tslim-live',
    });
  });

  it('prints the human form: engine line, credentials and what will not work', async () => {
    const run = await runCli(['doctor'], { env: { DOCKER_CONFIG: world.registry.dockerConfig } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^name +Docker Engine \S+/m);
    expect(run.stdout).toMatch(/^REGISTRY CREDENTIALS$/m);
    expect(run.stdout).toContain(`  ${world.registry.address}  auths`);
    expect(run.stdout).toMatch(/^WILL NOT WORK HERE$/m);
  });

  it('exits 3 with the hint when the context points at nothing, naming the context', async () => {
    const dir = await contextConfig('tslim-dead', 'unix:///tmp/tslim-doctor-dead.sock');
    const run = await runCli(['doctor'], { env: { DOCKER_CONFIG: dir, DOCKER_HOST: '' } });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /no Docker engine answers at unix:\/\/\/tmp\/tslim-doctor-dead\.sock \(docker context 'tslim-dead'/,
    );
    expect(run.stderr).toMatch(/^hint: /m);
    expect(run.stdout).toBe('');
  });

  it('exits 3 with a JSON error when DOCKER_HOST answers nothing', async () => {
    const run = await runCli(['doctor', '--json'], { env: { DOCKER_HOST: 'unix:///tmp/tslim-doctor-dead.sock' } });
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'ENGINE_UNREACHABLE' } });
  });
});
