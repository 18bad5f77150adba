import { afterAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../src/inspect/inspect-image.js';
import { freePort, runFixture, startFixture } from '../world/run-fixture.js';
import { composeInWorld, engine, removeImage, uniqueTag, world } from './compose-helpers.js';

const made: string[] = [];
const runId = `test-compose-${Date.now().toString(36)}`;
afterAll(async () => {
  for (const tag of made) await removeImage(tag);
});

const CASES = [
  { version: '24.09', backends: ['onnxruntime', 'python'], repoagents: ['checksum'], caches: ['local'] },
  { version: '25.09', backends: ['onnxruntime', 'tensorrt'], repoagents: [], caches: ['redis'] },
] as const;

describe.each(CASES)('compose $version from the world registry', (c) => {
  const tag = uniqueTag(c.version.replace('.', ''));
  made.push(tag);

  it('builds an image with only the chosen components, the recipe env and the tslim labels', async () => {
    const result = await composeInWorld({
      version: c.version,
      backend: [...c.backends],
      repoagent: [...c.repoagents],
      cacheNames: [...c.caches],
      outputName: tag,
    });
    expect(result.image?.tag).toBe(tag);
    expect(result.plan.factsSource).toBe('image');
    expect(result.dockerfile).toContain(`FROM ${world.registry.address}/nvidia/tritonserver:${c.version}-py3 AS full`);

    const facts = await inspectImage(engine, tag, { role: 'full', payload: true });
    expect(facts.backends.map((b) => b.name).sort()).toEqual([...c.backends].sort());
    expect(facts.repoagents.map((b) => b.name)).toEqual([...c.repoagents]);
    expect(facts.caches.map((b) => b.name)).toEqual([...c.caches]);
    for (const b of facts.backends) expect(b.bytes).toBe(world.releases[c.version]!.payload.backends[b.name]);

    const triton = world.releases[c.version]!.triton;
    expect(facts.env).toMatchObject({
      TRITON_SERVER_VERSION: triton,
      NVIDIA_TRITON_SERVER_VERSION: c.version,
      TRITON_SERVER_USER: 'triton-server',
      TRITON_SERVER_GPU_ENABLED: '1',
    });
    expect(facts.env.PATH).toMatch(/^\/opt\/tritonserver\/bin:/);
    expect(facts.env.PIP_BREAK_SYSTEM_PACKAGES).toBe(c.version === '25.09' ? '1' : undefined);
    expect(facts.env.DCGM_VERSION).toBe(c.version === '24.09' ? '3.2.6' : '4.4.0-1');
    expect(facts.labels).toMatchObject({
      'dev.tslim.backends': c.backends.join(','),
      'dev.tslim.repoagents': c.repoagents.join(','),
      'dev.tslim.caches': c.caches.join(','),
      'dev.tslim.triton-version': triton,
      'dev.tslim.container-version': c.version,
      'dev.tslim.source.full': `${world.registry.address}/nvidia/tritonserver:${c.version}-py3`,
      'com.nvidia.tritonserver.version': triton,
    });
    expect(facts.labels['dev.tslim.recipe']).toMatch(/^apt-2\.\d+$/);
    expect(Object.keys(facts.env).some((k) => /proxy/i.test(k))).toBe(false);
  });

  it('has the uid 1000 triton-server user and the DCGM package installed', async () => {
    const run = await runFixture(
      tag,
      [
        'bash',
        '-c',
        "id -u triton-server; id -g triton-server; dpkg-query -W -f='${Package}\\n' 'datacenter-gpu-manager*'",
      ],
      runId,
      { Entrypoint: [] },
    );
    expect(run.exitCode).toBe(0);
    const [uid, gid, ...pkgs] = run.output.trim().split('\n');
    expect([uid, gid]).toEqual(['1000', '1000']);
    expect(pkgs.length).toBeGreaterThan(0);
  });

  it('starts the server through the image entrypoint and answers health', async () => {
    const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
    const cmd = [
      'tritonserver',
      '--model-repository=/tmp',
      `--http-port=${http}`,
      `--grpc-port=${grpc}`,
      `--metrics-port=${metrics}`,
    ];
    await using run = await startFixture(tag, cmd, runId);
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i += 1) {
      status = await fetch(`http://127.0.0.1:${http}/v2/health/live`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect(run.container.id).toBeTruthy();
  });
});

describe('proxy settings', () => {
  it('reach the build as predefined args only: not in ENV, history or the Dockerfile', async () => {
    const tag = uniqueTag('proxy');
    made.push(tag);
    // Same recipe as the 24.09 case above, so its RUN steps come from the cache: the classic
    // builder leaves the predefined proxy args out of the cache key as well as the history.
    const result = await composeInWorld({
      version: '24.09',
      backend: ['onnxruntime', 'python'],
      repoagent: ['checksum'],
      cacheNames: ['local'],
      outputName: tag,
      httpProxy: 'http://tslim:pr0xysecret@127.0.0.1:9',
      httpsProxy: 'http://tslim:pr0xysecret@127.0.0.1:9',
      proxy: '127.0.0.1,localhost',
    });
    expect(result.dockerfile).not.toMatch(/pr0xysecret|_PROXY/i);
    const image = engine.getImage(tag);
    const history = (await image.history()) as { CreatedBy: string }[];
    expect(history.map((h) => h.CreatedBy).join('\n')).not.toMatch(/pr0xysecret|HTTPS?_PROXY/i);
    const env = ((await image.inspect()).Config.Env ?? []).join('\n');
    expect(env).not.toMatch(/proxy/i);
  });
});
