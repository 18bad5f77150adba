import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { precompiledFor, precompiledModule } from '../../src/compose/precompiled-templates.js';
import { renderDockerfile } from '../../src/compose/render.js';
import { loadTemplates } from '../../src/compose/templates.js';
import { instructions, offlinePlan, offlineRender } from './compose-helpers.js';
import { tempDir } from '../support/temp-dir.js';

const GENERATIONS = ['23.12', '24.09', '25.02', '25.09', '26.04'] as const;

describe('rendered Dockerfiles per release generation', () => {
  for (const version of GENERATIONS) {
    it(`${version}: onnxruntime + python + tensorrt, checksum, local cache`, async () => {
      const text = await offlineRender({
        version,
        backend: ['onnxruntime', 'python', 'tensorrt'],
        repoagent: ['checksum'],
        cacheNames: ['local'],
      });
      await expect(text).toMatchFileSnapshot(`__snapshots__/compose-${version}.Dockerfile`);
    });
  }

  it('25.09 CPU-only with pytorch borrows CUDA libraries from the gpu-min stage', async () => {
    const text = await offlineRender({ version: '25.09', cpuOnly: true, backend: ['pytorch'] });
    await expect(text).toMatchFileSnapshot('__snapshots__/compose-25.09-cpu-pytorch.Dockerfile');
    expect(text).toContain('FROM nvcr.io/nvidia/tritonserver:25.09-py3-min AS min_container');
    expect(text).toContain('FROM ubuntu:24.04');
    expect(text).toContain('ENTRYPOINT ["/opt/nvidia/nvidia_entrypoint.sh"]');
    expect(text).not.toContain('DCGM');
  });
});

describe('parity with compose.py facts', () => {
  it('uses --chown and per-directory chown until 2.69, plain COPY from 2.70', async () => {
    const old = instructions(await offlineRender({ version: '26.05', backend: ['identity'] }));
    const now = instructions(await offlineRender({ version: '26.06', backend: ['identity'] }));
    expect(old).toContain(
      'COPY --chown=1000:1000 --from=full /opt/tritonserver/backends/identity /opt/tritonserver/backends/identity',
    );
    expect(old).toContain('RUN chown triton-server:triton-server /opt/tritonserver/backends');
    expect(now).toContain('COPY --from=full /opt/tritonserver/backends/identity /opt/tritonserver/backends/identity');
    expect(now.some((l) => l.startsWith('RUN chown'))).toBe(false);
  });

  it('sets PIP_BREAK_SYSTEM_PACKAGES right after FROM min from 2.54 only', async () => {
    const at = async (version: string) => instructions(await offlineRender({ version, backend: [] }));
    const jan = await at('25.01');
    expect(jan[jan.indexOf('FROM nvcr.io/nvidia/tritonserver:25.01-py3-min') + 1]).toBe(
      'ENV PIP_BREAK_SYSTEM_PACKAGES=1',
    );
    expect(await at('24.12')).not.toContain('ENV PIP_BREAK_SYSTEM_PACKAGES=1');
  });

  it('takes the keyring for the release OS and DCGM packages for its DCGM major', async () => {
    const v2409 = await offlineRender({ version: '24.09', backend: [] });
    expect(v2409).toContain('repos/ubuntu2204/x86_64/cuda-keyring_1.0-1_all.deb');
    expect(v2409).toContain('datacenter-gpu-manager=1:3.2.6');
    const v2604 = await offlineRender({ version: '26.04', backend: [] });
    expect(v2604).toContain('repos/ubuntu2404/x86_64/cuda-keyring_1.1-1_all.deb');
    expect(v2604).toContain('datacenter-gpu-manager-4-core=1:4.5.3-1');
    expect(v2604).toContain('datacenter-gpu-manager-4-dev=1:4.5.3-1');
  });

  it('copies entrypoint.d from the full image, never from a checkout', async () => {
    const text = await offlineRender({ version: '24.09', backend: ['onnxruntime'] });
    expect(text).toContain('COPY --from=full /opt/nvidia/entrypoint.d/ /opt/nvidia/entrypoint.d/');
    expect(text).not.toMatch(/COPY docker\//);
  });
});

describe('overrides and template dir', () => {
  it('renders mirrors, pip index and a custom CUDA repo with and without a key', async () => {
    const flags = {
      version: '25.09',
      backend: ['python'],
      registryMirror: ['nvcr.io=harbor.example/proxy-nvcr'],
      aptMirror: 'http://apt.example/ubuntu/',
      pipIndexUrl: 'http://pypi.example/simple',
      pipTrustedHost: 'pypi.example',
      cudaRepo: 'http://repo.example/cuda',
    };
    const trusted = await offlineRender(flags);
    expect(trusted).toContain('FROM harbor.example/proxy-nvcr/nvidia/tritonserver:25.09-py3 AS full');
    expect(trusted).toContain(
      'echo "deb [trusted=yes] http://repo.example/cuda /" > /etc/apt/sources.list.d/tslim-cuda.list',
    );
    expect(trusted).toContain('#http://apt.example/ubuntu/#g');
    expect(trusted).toContain(
      'pip3 install --no-cache-dir --index-url http://pypi.example/simple --trusted-host pypi.example --upgrade "numpy<2" "virtualenv"',
    );
    const signed = await offlineRender({ ...flags, cudaRepoKey: 'https://repo.example/key.gpg' });
    expect(signed).toContain('[signed-by=/usr/share/keyrings/tslim-cuda.gpg] http://repo.example/cuda /');
  });

  it('drops DCGM with --no-dcgm and pins --dcgm-version', async () => {
    expect(await offlineRender({ version: '24.09', dcgm: false })).not.toContain('DCGM_VERSION');
    expect(await offlineRender({ version: '24.09', dcgmVersion: '3.3.6' })).toContain('datacenter-gpu-manager=1:3.3.6');
  });

  it('lets --template-dir replace one partial and fails loudly on an unknown field (strict mode)', async () => {
    const dir = await tempDir('tpl');
    await writeFile(join(dir, 'sagemaker.hbs'), '\n# no sagemaker here ({{tritonVersion}})\n');
    const text = await offlineRender({ version: '24.09' }, dir);
    expect(text).toContain('# no sagemaker here (2.50.0)');
    expect(text).not.toContain('/usr/bin/serve');
    await writeFile(join(dir, 'sagemaker.hbs'), '{{noSuchField}}');
    await expect(offlineRender({ version: '24.09' }, dir)).rejects.toThrow(/"noSuchField" not defined/);
  });
});

describe('precompiled templates (npm run build writes them; a dry run renders with the runtime only)', () => {
  it('renders every generation exactly as compiling the templates does', async () => {
    const templates = await loadTemplates();
    const file = join(await tempDir('precompiled'), 'templates-precompiled.cjs');
    await writeFile(file, await precompiledModule(templates));
    const url = pathToFileURL(file);
    expect(await precompiledFor(templates, url)).toBeDefined();
    const plans = [
      ...GENERATIONS.map((version) =>
        offlinePlan({ version, backend: ['onnxruntime', 'python', 'tensorrt'], repoagent: ['checksum'] }),
      ),
      offlinePlan({ version: '25.09', cpuOnly: true, backend: ['pytorch'] }),
    ];
    for (const plan of plans) {
      // without a url: no module beside src/compose, so this is the compiling path
      expect(await renderDockerfile(plan, templates, url)).toBe(await renderDockerfile(plan, templates));
    }
  });

  it('is not used for a text it was not made from (an edited file, --template-dir)', async () => {
    const templates = await loadTemplates();
    const file = join(await tempDir('precompiled'), 'templates-precompiled.cjs');
    await writeFile(file, await precompiledModule(templates));
    const url = pathToFileURL(file);
    const edited = { ...templates, partials: { ...templates.partials, sagemaker: '# edited\n' } };
    expect(await precompiledFor(edited, url)).toBeUndefined();
    expect(await precompiledFor({ ...templates, main: `${templates.main}\n` }, url)).toBeUndefined();
    const text = await renderDockerfile(offlinePlan({ version: '24.09' }), edited, url);
    expect(text).toContain('# edited');
  });
});
