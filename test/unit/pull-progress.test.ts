import { describe, expect, it } from 'vitest';
import { createProgress, silentProgress } from '../../src/core/progress.js';
import { PullProgress } from '../../src/registry/pull-progress.js';
import { pullCredentials } from '../../src/registry/ngc.js';

const A = 'a'.repeat(12);
const B = 'b'.repeat(12);

describe('PullProgress (a pull stream, per layer)', () => {
  it('shows bytes/total per downloading layer and sums them', () => {
    const p = new PullProgress();
    expect(p.update({ status: 'Pulling from nvidia/tritonserver', id: '24.09-py3' })).toBe(false);
    p.update({ status: 'Pulling fs layer', id: A });
    p.update({ status: 'Pulling fs layer', id: B });
    p.update({ status: 'Downloading', id: A, progressDetail: { current: 1_000_000, total: 4_000_000 } });
    p.update({ status: 'Downloading', id: B, progressDetail: { current: 500_000, total: 1_000_000 } });
    expect(p.render().split('\n')).toEqual([
      '0/2 layers, 1.5 MB / 5.0 MB',
      `  ${A}: 1.0 MB / 4.0 MB`,
      `  ${B}: 500 kB / 1.0 MB`,
    ]);
    p.update({ status: 'Download complete', id: B });
    p.update({ status: 'Pull complete', id: B });
    expect(p.render().split('\n')).toEqual(['1/2 layers, 2.0 MB / 5.0 MB', `  ${A}: 1.0 MB / 4.0 MB`]);
    p.update({ status: 'Already exists', id: A });
    expect(p.summary()).toBe('2/2 layers, 5.0 MB / 5.0 MB');
  });

  it('only a spinner on a TTY is live; lines and silence are not', async () => {
    expect(silentProgress.live).toBe(false);
    const written: string[] = [];
    const stream = { isTTY: false, write: (t: string) => written.push(t) } as unknown as NodeJS.WriteStream;
    const lines = await createProgress({ enabled: true, stream });
    expect(lines.live).toBe(false);
    expect((await createProgress({ enabled: false, stream })).live).toBe(false);
  });
});

describe('pullCredentials (NGC)', () => {
  const noConfig = { DOCKER_CONFIG: '/nonexistent-tslim', HOME: '/nonexistent-tslim' };
  it('nvcr.io uses $oauthtoken + NGC_API_KEY, sent to the mirror', async () => {
    const c = await pullCredentials('nvcr.io/nvidia/x:1', 'mirror.example/nvidia/x:1', {
      ...noConfig,
      NGC_API_KEY: 'nvapi-k',
    });
    expect(c).toEqual({
      auth: { username: '$oauthtoken', password: 'nvapi-k', serveraddress: 'mirror.example' },
      source: 'NGC_API_KEY',
    });
  });
  it('no key and no config: none; other registries never get the NGC key', async () => {
    expect(await pullCredentials('nvcr.io/nvidia/x:1', 'nvcr.io/nvidia/x:1', noConfig)).toEqual({ source: 'none' });
    expect(
      await pullCredentials('docker.io/library/x:1', 'docker.io/library/x:1', { ...noConfig, NGC_API_KEY: 'nvapi-k' }),
    ).toEqual({ source: 'none' });
  });
});
