import { describe, expect, it } from 'vitest';
import { isTransientError, withRetry } from '../../src/registry/retry.js';
import { TslimError } from '../../src/core/errors.js';
import { LayerProgress } from '../../src/registry/layer-progress.js';

describe('isTransientError', () => {
  it.each([
    new TslimError(
      'REGISTRY_FAILED',
      'push of x failed: read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer',
    ),
    new TslimError('REGISTRY_FAILED', 'push failed', {
      details: { engineMessage: 'received unexpected HTTP status: 503 Service Unavailable' },
    }),
    new TslimError('REGISTRY_FAILED', 'GET x answered 429', { details: { status: 429 } }),
    new TslimError('REGISTRY_FAILED', 'GET x answered 408', { details: { status: 408 } }),
    Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    new Error('put blob: unexpected EOF'),
  ])('retries %s', (error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    new TslimError('REGISTRY_AUTH', 'registry x rejected the credentials'),
    new TslimError('TAG_EXISTS', 'exists'),
    new TslimError('REGISTRY_FAILED', 'GET x answered 404', { details: { status: 404 } }),
    new TslimError('ABORTED', 'interrupted'),
    new Error('manifest invalid'),
  ])('does not retry %s', (error) => {
    expect(isTransientError(error)).toBe(false);
  });
});

describe('withRetry', () => {
  it('retries transient failures with growing delays, then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('connection reset by peer');
        return 'ok';
      },
      { attempts: 4, baseDelayMs: 5, onRetry: ({ delayMs }) => delays.push(delayMs) },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toHaveLength(2);
    expect(delays[1]!).toBeGreaterThanOrEqual(10);
  });

  it('gives up after the last try and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw new Error(`502 Bad Gateway #${calls}`);
        },
        { attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toThrow('#3');
    expect(calls).toBe(3);
  });

  it('does not retry a permanent failure', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw new TslimError('REGISTRY_AUTH', 'no');
        },
        { attempts: 5, baseDelayMs: 1 },
      ),
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const run = withRetry(
      async () => {
        throw new Error('connection reset');
      },
      { attempts: 5, baseDelayMs: 10_000, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('LayerProgress', () => {
  it('sums bytes per layer and counts finished layers', () => {
    const p = new LayerProgress();
    p.update({ status: 'Preparing', id: 'aaaaaaaaaaaa' });
    p.update({ status: 'Preparing', id: 'bbbbbbbbbbbb' });
    p.update({ status: 'Layer already exists', id: 'bbbbbbbbbbbb' });
    p.update({ status: 'Pushing', id: 'aaaaaaaaaaaa', progressDetail: { current: 500_000, total: 2_000_000 } });
    expect(p.summary()).toBe('1/2 layers, 500 kB / 2.0 MB');
    expect(p.finished({ status: 'Pushed', id: 'aaaaaaaaaaaa' })).toContain('Pushed (2.0 MB)');
    p.update({ status: 'Pushed', id: 'aaaaaaaaaaaa' });
    expect(p.summary()).toBe('2/2 layers, 2.0 MB / 2.0 MB');
    expect(p.update({ status: 'latest: digest: sha256:x size: 1' })).toBe(false);
  });
});
