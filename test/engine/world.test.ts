import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { worldEngine } from '../world/engine.js';
import { HASH_LABEL } from '../world/hash.js';
import { dcgmPackages } from '../world/recipe-packages.js';
import { freePort, logs, runFixture, startFixture } from '../world/run-fixture.js';
import { readWorld } from '../world/read-world.js';

const world = readWorld();
const engine = worldEngine();
const runId = `test-world-${Date.now().toString(36)}`;
const releases = Object.entries(world.releases);
const envOf = (env: string[] | undefined): Record<string, string> =>
  Object.fromEntries((env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

describe('test world sanity', () => {
  it('hands the same world to inject() and readWorld()', () => {
    expect(inject('world')).toEqual(world);
    expect(Object.keys(world.releases).sort()).toEqual(['24.09', '25.09']);
  });

  it.each(releases)('%s: full and min images carry NVIDIA-like env, labels and the world hash', async (version, r) => {
    const full = await engine.getImage(r.full).inspect();
    const min = await engine.getImage(r.min).inspect();
    const fullEnv = envOf(full.Config.Env);
    const minEnv = envOf(min.Config.Env);
    expect(full.Config.Labels?.[HASH_LABEL]).toMatch(/^[0-9a-f]{24}$/);
    expect(min.Config.Labels?.[HASH_LABEL]).toMatch(/^[0-9a-f]{24}$/);
    expect(full.Config.Labels?.['com.nvidia.build.id']).toMatch(/^\d+$/);
    expect(full.Config.Entrypoint).toEqual(['/opt/nvidia/nvidia_entrypoint.sh']);
    expect(fullEnv.NVIDIA_TRITON_SERVER_VERSION).toBe(version);
    expect(fullEnv.TRITON_SERVER_VERSION).toBe(r.triton);
    expect(fullEnv.CUDA_VERSION).toBe(version === '24.09' ? '12.6.1.006' : '13.0.1.012');
    expect(fullEnv.DCGM_VERSION).toBe(version === '24.09' ? '3.2.6' : '4.4.0-1');
    expect(fullEnv.PATH).toContain('/opt/tritonserver/bin');
    expect(fullEnv.LD_LIBRARY_PATH).toContain('/opt/tritonserver/lib');
    expect(minEnv.CUDA_VERSION).toBe(fullEnv.CUDA_VERSION);
    expect(minEnv._CUDA_COMPAT_PATH).toBe('/usr/local/cuda/compat');
    expect(minEnv.TRITON_SERVER_VERSION).toBeUndefined();
    // full is built FROM min: every min layer is a full layer.
    expect(full.RootFS.Layers?.slice(0, min.RootFS.Layers?.length)).toEqual(min.RootFS.Layers);
  });

  it.each(releases)(
    '%s: os-release, TRITON_VERSION, PEP 668 marker and payload bytes inside the full image',
    async (version, r) => {
      const script = [
        '. /etc/os-release; echo "os=$ID $VERSION_ID"; grep -c VERSION_CODENAME /usr/lib/os-release',
        'echo "triton=$(cat /opt/tritonserver/TRITON_VERSION)"',
        'ls /usr/lib/python3*/EXTERNALLY-MANAGED >/dev/null 2>&1 && echo pep668=yes || echo pep668=no',
        'cd /opt/tritonserver; for d in backends/* repoagents/* caches/*; do echo "size $d $(find $d -type f -printf "%s\\n" | awk "{s+=\\$1} END {print s}")"; done',
      ].join('; ');
      const { exitCode, output } = await runFixture(r.full, ['bash', '-c', script], runId);
      expect(exitCode).toBe(0);
      expect(output).toContain(`os=ubuntu ${version === '24.09' ? '22.04' : '24.04'}`);
      expect(output).toContain(`triton=${r.triton}`);
      expect(output).toContain(version === '24.09' ? 'pep668=no' : 'pep668=yes');
      const sizes: Record<string, number> = {};
      for (const m of output.matchAll(/^size (\S+) (\d+)$/gm)) sizes[m[1]!] = Number(m[2]);
      const expected: Record<string, number> = {};
      for (const [kind, dirs] of Object.entries(r.payload))
        for (const [name, bytes] of Object.entries(dirs)) expected[`${kind}/${name}`] = bytes;
      expect(sizes).toEqual(expected);
    },
  );

  it('registry: 401 without credentials, 200 for every world user, fixture tags present', async () => {
    const base = `http://${world.registry.address}/v2`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    for (const user of world.registry.users) {
      const auth = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
      expect((await fetch(`${base}/`, { headers: { Authorization: auth } })).status, user.username).toBe(200);
    }
    const user = world.registry.users[0]!;
    const auth = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    const tags = (await (
      await fetch(`${base}/${world.registry.repository}/tags/list`, { headers: { Authorization: auth } })
    ).json()) as { tags: string[] };
    expect(tags.tags.sort()).toEqual(
      expect.arrayContaining(['24.09-py3', '24.09-py3-min', '25.09-py3', '25.09-py3-min']),
    );
    expect(
      (
        await fetch(`${base}/`, {
          headers: { Authorization: 'Basic ' + Buffer.from(`${user.username}:wrong`).toString('base64') },
        })
      ).status,
    ).toBe(401);
  });

  it('apt repos serve Packages for the dummies and the DCGM stand-ins', async () => {
    const cuda = await (await fetch(`${world.apt.cudaRepo}/Packages`)).text();
    for (const p of dcgmPackages) expect(cuda).toContain(`Package: ${p.name}\nVersion: ${p.version}\n`);
    const apt = await fetch(`${world.apt.url}/Packages.gz`);
    expect(apt.status).toBe(200);
    expect((await fetch(`${world.apt.url}/Release`)).status).toBe(200);
    const deb = /Filename: \.\/(\S+)/.exec(cuda)?.[1];
    expect((await fetch(`${world.apt.cudaRepo}/${deb}`, { method: 'HEAD' })).status).toBe(200);
  });

  it('pip index serves real pip and a stand-in numpy whose sha256 matches', async () => {
    const pip = await (await fetch(`${world.pypi.url}/pip/`)).text();
    expect(pip).toMatch(/pip-\d+\.\d+(\.\d+)?-py3-none-any\.whl/);
    const numpy = await (await fetch(`${world.pypi.url}/numpy/`)).text();
    const [, href, sha] = /href="([^"#]+)#sha256=([0-9a-f]+)"/.exec(numpy) ?? [];
    expect(href).toContain('numpy-1.26.4-py3-none-any.whl');
    const wheel = Buffer.from(await (await fetch(new URL(href!, `${world.pypi.url}/numpy/`))).arrayBuffer());
    expect(createHash('sha256').update(wheel).digest('hex')).toBe(sha);
  });

  it('a min image installs Ubuntu-only names, DCGM and numpy offline from the world', async () => {
    const r = world.releases['24.09']!;
    const script = [
      'set -e',
      `echo "deb [trusted=yes] ${world.apt.cudaRepo} ./" > /etc/apt/sources.list.d/cuda.list`,
      'apt-get update -qq',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libre2-10 git python3-pip datacenter-gpu-manager >/dev/null',
      'test -f /usr/share/tslim-fixture/libre2-10 && test -f /usr/share/tslim-fixture/datacenter-gpu-manager',
      `pip3 install -q --index-url ${world.pypi.url} --trusted-host ${world.pypi.trustedHost} numpy==1.26.4`,
      'python3 -c "import numpy; print(\'numpy\', numpy.__version__)"',
    ].join('\n');
    const { exitCode, output } = await runFixture(r.min, ['bash', '-c', script], runId);
    expect(output).toContain('numpy 1.26.4');
    expect(exitCode).toBe(0);
  });

  describe('the Triton double in a full image', () => {
    let repo: string;
    beforeAll(async () => {
      repo = await mkdtemp(path.join(tmpdir(), 'tslim-world-models-'));
      for (const [name, config] of [
        [
          'ident',
          'backend: "identity"\nmax_batch_size: 8\ninput [{ name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\noutput [{ name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] }]\n',
        ],
        ['onnx', 'platform: "onnxruntime_onnx"\n'],
      ] as const) {
        await mkdir(path.join(repo, name, '1'), { recursive: true });
        await writeFile(path.join(repo, name, 'config.pbtxt'), config);
      }
    });
    afterAll(() => rm(repo, { recursive: true, force: true }));

    it('answers health and reports a model whose backend directory is missing as UNAVAILABLE', async () => {
      const r = world.releases['24.09']!;
      const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
      // Remove the onnxruntime backend in this container: the double must notice.
      const cmd = [
        'bash',
        '-c',
        `rm -rf /opt/tritonserver/backends/onnxruntime && exec tritonserver --model-repository=/models --http-port=${http} --grpc-port ${grpc} --metrics-port=${metrics} --exit-on-error=false`,
      ];
      await using run = await startFixture(r.full, cmd, runId, { HostConfig: { Binds: [`${repo}:/models:ro`] } });
      const url = `http://127.0.0.1:${http}`;
      let live = 0;
      for (let i = 0; i < 100 && live !== 200; i++) {
        live = await fetch(`${url}/v2/health/live`).then(
          (res) => res.status,
          () => 0,
        );
        if (live !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(live, await logs(run.container)).toBe(200);
      expect((await fetch(`${url}/v2/health/ready`)).status).toBe(400); // strict readiness, one model down
      const index = (await (await fetch(`${url}/v2/repository/index`, { method: 'POST' })).json()) as {
        name: string;
        state: string;
        reason: string;
      }[];
      expect(index.find((m) => m.name === 'ident')?.state).toBe('READY');
      expect(index.find((m) => m.name === 'onnx')).toMatchObject({
        state: 'UNAVAILABLE',
        reason:
          "Invalid argument: unable to find backend library for backend 'onnxruntime', try specifying runtime on the model configuration.",
      });
      const args = (await (await fetch(`${url}/v2/double/args`)).json()) as { options: Record<string, string> };
      expect(args.options['grpc-port']).toBe(String(grpc));
      expect(await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text()).toContain(
        'nv_gpu_memory_used_bytes{gpu_uuid="GPU-double-0"}',
      );
    });

    it('exits 1 with the model table when a KIND_GPU model has no GPU and --exit-on-error is left at true', async () => {
      const r = world.releases['25.09']!;
      const gpuRepo = path.join(repo, '..', `${path.basename(repo)}-gpu`);
      await mkdir(path.join(gpuRepo, 'gpu', '1'), { recursive: true });
      await writeFile(
        path.join(gpuRepo, 'gpu', 'config.pbtxt'),
        'backend: "identity"\ninstance_group [{ kind: KIND_GPU }]\n',
      );
      try {
        const ports = [await freePort(), await freePort(), await freePort()];
        const cmd = [
          'tritonserver',
          '--model-repository=/models',
          `--http-port=${ports[0]}`,
          `--grpc-port=${ports[1]}`,
          `--metrics-port=${ports[2]}`,
        ];
        const { exitCode, output } = await runFixture(r.full, cmd, runId, {
          HostConfig: { Binds: [`${gpuRepo}:/models:ro`] },
        });
        expect(exitCode).toBe(1);
        expect(output).toMatch(/\| gpu +\| 1 +\| UNAVAILABLE: .*no GPUs are available/);
        expect(output).toContain('error: creating server: Internal - failed to load all models');
      } finally {
        await rm(gpuRepo, { recursive: true, force: true });
      }
    });
  });
});
