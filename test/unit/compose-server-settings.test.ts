import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/compose/profiles.js';
import { renderDockerfile } from '../../src/compose/render.js';
import { loadTemplates } from '../../src/compose/templates.js';
import { SERVER_SETTINGS } from '../../src/compose/server-settings.js';
import { mergeServerSettings, parseServerSection, toTritonArgs } from '../../src/compose/server-settings-apply.js';
import { IMAGE_LABELS } from '../../src/core/labels.js';
import { decideShm, imageServerSettings, parseArgsLabel, parseOptionTable } from '../../src/verify/server-config.js';
import { serverArgs } from '../../src/verify/server-runner.js';
import { instructions, offlinePlan } from './compose-helpers.js';
import { tempDir } from '../support/temp-dir.js';

const MiB = 2 ** 20;

describe('server settings: values', () => {
  it('reads sizes as bytes (256MiB, 256MB, plain bytes) and GPU pools per id, rendered in a fixed order', () => {
    const s = parseServerSection(
      {
        'grpc-port': 9001,
        'cuda-memory-pool-byte-size': { 1: '64MiB', 0: 268435456 },
        'pinned-memory-pool-byte-size': '256MiB',
        'model-control-mode': 'explicit',
        'load-model': ['asr_ensemble', 'encoder'],
        'log-verbose': 1,
        'grpc-keepalive-permit-without-calls': true,
        'shm-size': '256MB',
      },
      'test',
    );
    expect(toTritonArgs(s)).toEqual([
      '--model-control-mode=explicit',
      '--load-model=asr_ensemble',
      '--load-model=encoder',
      '--pinned-memory-pool-byte-size=268435456',
      '--cuda-memory-pool-byte-size=0:268435456',
      '--cuda-memory-pool-byte-size=1:67108864',
      '--log-verbose=1',
      '--grpc-port=9001',
      '--grpc-keepalive-permit-without-calls=true',
    ]);
    expect(s['shm-size']).toBe(256_000_000);
  });

  it('refuses an unknown key listing the known ones', () => {
    expect(() => parseServerSection({ 'pinned-memory-pool-size': '1GiB' }, 'profile p.yaml: server')).toThrow(
      new RegExp(`unknown server setting 'pinned-memory-pool-size'; known: ${Object.keys(SERVER_SETTINGS).join(', ')}`),
    );
    expect(() => mergeServerSettings(undefined, ['exit-on-error=false'])).toThrow(
      /unknown server setting 'exit-on-error'; known: model-repository, /,
    );
  });

  it.each([
    ['pinned-memory-pool-byte-size', '-1', /must be a size such as 256MiB, 256MB or 268435456 \(bytes\), got '-1'/],
    ['pinned-memory-pool-byte-size', '256 parsecs', /must be a size .* got '256 parsecs'/],
    ['shm-size', '', /must be a size .* got ''/],
    ['cuda-memory-pool-byte-size', '256MiB', /must be GPU:SIZE pairs such as 0:256MiB,1:128MiB .* got '256MiB'/],
    ['cuda-memory-pool-byte-size', '0:-5', /must be GPU:SIZE pairs .* got '0:-5'/],
    ['http-port', '70000', /server setting 'http-port' must be a port 1-65535, got '70000'/],
    ['metrics-port', '0', /must be a port 1-65535, got '0'/],
    ['grpc-port', '80a', /must be a port 1-65535, got '80a'/],
    ['model-control-mode', 'manual', /must be one of none, poll, explicit, got 'manual'/],
    ['log-verbose', '-2', /must be an integer 0-2147483647, got '-2'/],
    ['grpc-keepalive-permit-without-calls', 'maybe', /must be true or false, got 'maybe'/],
    ['log-file', 'relative.log', /must be an absolute path/],
    ['log-file', '/var/log/$(id).log', /must be an absolute path/],
    ['load-model', 'a;rm -rf /', /must be model names/],
    ['model-repository', '/models/../etc', /must be absolute paths/],
  ])('--server-arg %s=%s is refused with the valid form', (key, value, message) => {
    let error: unknown;
    try {
      mergeServerSettings(undefined, [`${key}=${value}`]);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(message),
      hint: expect.stringContaining(`--server-arg ${key}=`),
    });
  });

  it('refuses a negative or fractional size from YAML numbers, and load-model without explicit mode', () => {
    expect(() => parseServerSection({ 'pinned-memory-pool-byte-size': -268435456 }, 'p')).toThrow(/got '-268435456'/);
    expect(() => parseServerSection({ 'shm-size': 1.5 }, 'p')).toThrow(/got '1.5'/);
    expect(() => parseServerSection({ 'load-model': ['a'] }, 'p')).toThrow(
      /'load-model' needs model-control-mode explicit/,
    );
    expect(() => parseServerSection({ 'model-control-mode': 'explicit', 'load-model': ['*', 'a'] }, 'p')).toThrow(
      /must be model names .*, or '\*' alone, got '\["\*","a"\]'/,
    );
    expect(() => mergeServerSettings(undefined, ['http-port=8000', 'metrics-port=8000'])).toThrow(
      /'http-port' and 'metrics-port' are both 8000/,
    );
    expect(() => mergeServerSettings(undefined, ['http-port'])).toThrow(/expected KEY=VALUE/);
  });

  it('--server-arg replaces the profile value of its key; list and per-GPU keys collect', () => {
    const profile = parseServerSection(
      {
        'model-control-mode': 'explicit',
        'load-model': ['a'],
        'log-verbose': 1,
        'cuda-memory-pool-byte-size': { 0: '64MiB', 1: '64MiB' },
      },
      'p',
    );
    const merged = mergeServerSettings(profile, [
      'log-verbose=2',
      '--load-model=b',
      'load-model=c',
      'cuda-memory-pool-byte-size=1:128MiB',
      'cuda-memory-pool-byte-size=2:1MiB',
    ]);
    expect(toTritonArgs(merged)).toEqual([
      '--model-control-mode=explicit',
      '--load-model=b',
      '--load-model=c',
      '--cuda-memory-pool-byte-size=1:134217728',
      '--cuda-memory-pool-byte-size=2:1048576',
      '--log-verbose=2',
    ]);
    expect(mergeServerSettings(undefined, [])).toBeUndefined();
    expect(mergeServerSettings({}, [])).toBeUndefined();
  });
});

describe('server settings: profiles and the Dockerfile', () => {
  it('the asr profile carries explicit model control, a 256 MiB pinned pool and shm for python', async () => {
    const asr = await loadProfile('asr');
    expect(asr.server).toMatchObject({
      'model-control-mode': 'explicit',
      'pinned-memory-pool-byte-size': 268435456,
      'shm-size': 512 * MiB,
    });
  });

  it('a profile with an unknown server key or a bad value is refused naming the file', async () => {
    const dir = await tempDir('server');
    await writeFile(join(dir, 'p.yaml'), 'backends: [python]\nserver:\n  http-port: 70000\n');
    await expect(loadProfile(join(dir, 'p.yaml'))).rejects.toThrow(
      /p\.yaml: server: server setting 'http-port' must be a port 1-65535, got '70000'/,
    );
    await writeFile(join(dir, 'q.yaml'), 'server:\n  log_verbose: 1\n');
    await expect(loadProfile(join(dir, 'q.yaml'))).rejects.toThrow(/unknown server setting 'log_verbose'; known: /);
  });

  it('renders the wrapper entrypoint, the JSON CMD and the labels (snapshot)', async () => {
    const asr = await loadProfile('asr');
    const plan = offlinePlan({ version: '24.09', serverArg: ['log-verbose=1', 'load-model=asr_ensemble'] }, asr);
    const text = await renderDockerfile(plan, await loadTemplates());
    await expect(text).toMatchFileSnapshot('__snapshots__/compose-24.09-asr-server.Dockerfile');
    const lines = instructions(text);
    expect(lines).toContain('ENTRYPOINT ["/opt/nvidia/nvidia_entrypoint.sh", "/opt/tslim/bin/tritonserver-defaults"]');
    const cmd = lines.find((l) => l.startsWith('CMD '))!;
    const args = [
      '--model-repository=/models',
      '--model-control-mode=explicit',
      '--load-model=asr_ensemble',
      '--pinned-memory-pool-byte-size=268435456',
      '--cuda-memory-pool-byte-size=0:268435456',
      '--log-verbose=1',
    ];
    expect(JSON.parse(cmd.slice(4))).toEqual(['tritonserver', ...args]);
    expect(plan.labels[IMAGE_LABELS.serverArgs]).toBe(args.join(' '));
    expect(plan.labels[IMAGE_LABELS.serverShmSize]).toBe(String(512 * MiB));
    expect(lines[lines.length - 1]).toMatch(/^CMD /);
  });

  it('leaves the Dockerfile without settings as it was (no wrapper, no CMD, no server labels)', async () => {
    const plan = offlinePlan({ version: '24.09', backend: ['python'] });
    const text = await renderDockerfile(plan, await loadTemplates());
    expect(text).not.toMatch(/tritonserver-defaults|^CMD|dev\.tslim\.server/m);
  });
});

describe('verify: the image settings and /dev/shm', () => {
  it('keeps the image flags, drops the ones verify sets, and puts its own last', () => {
    const s = imageServerSettings({
      [IMAGE_LABELS.serverArgs]:
        '--model-repository=/models --model-control-mode=poll --pinned-memory-pool-byte-size=268435456 --http-port=8000 --log-verbose=1 --log-file=/tmp/t.log',
    });
    expect(s.kept).toEqual(['--pinned-memory-pool-byte-size=268435456', '--log-verbose=1']);
    expect(s.replaced).toEqual([
      '--model-repository=/models',
      '--model-control-mode=poll',
      '--http-port=8000',
      '--log-file=/tmp/t.log',
    ]);
    const argv = serverArgs(['tslim_python'], { http: 1, metrics: 2 }, s.kept);
    expect(argv.slice(0, 3)).toEqual(['tritonserver', '--pinned-memory-pool-byte-size=268435456', '--log-verbose=1']);
    expect(argv).toContain('--model-control-mode=explicit');
    expect(() => parseArgsLabel('--ok=1 --bad=$(reboot)')).toThrow(/not a --flag=value/);
  });

  it('sizes /dev/shm: 64 MiB + 65 MiB per python instance, the image setting when larger, --shm-size always', () => {
    expect(decideShm(undefined, undefined, 0)).toMatchObject({ bytes: 64 * MiB, source: 'tslim' });
    expect(decideShm(undefined, undefined, 2)).toMatchObject({
      bytes: 194 * MiB,
      source: 'tslim',
      neededBytes: 130 * MiB,
    });
    expect(decideShm(undefined, 512 * MiB, 1)).toMatchObject({ bytes: 512 * MiB, source: 'image' });
    expect(decideShm(undefined, 100 * MiB, 1)).toMatchObject({ bytes: 129 * MiB, source: 'tslim' });
    expect(decideShm(64 * MiB, 512 * MiB, 1)).toMatchObject({
      bytes: 64 * MiB,
      source: 'forced',
      neededBytes: 65 * MiB,
    });
  });

  it("reads Triton's logged option table", () => {
    const log = [
      'I0101 server.cc:674] ',
      '+----------------------------------+----------+',
      '| Option                           | Value    |',
      '+----------------------------------+----------+',
      '| model_control_mode               | MODE_EXPLICIT |',
      '| pinned_memory_pool_byte_size     | 268435456 |',
      '| cuda_memory_pool_byte_size{0}    | 67108864 |',
      '+----------------------------------+----------+',
      'I0101 model_lifecycle.cc:473]',
    ].join('\n');
    expect(parseOptionTable(log)).toEqual({
      model_control_mode: 'MODE_EXPLICIT',
      pinned_memory_pool_byte_size: '268435456',
      'cuda_memory_pool_byte_size{0}': '67108864',
    });
    expect(parseOptionTable('nothing here')).toBeUndefined();
  });
});
