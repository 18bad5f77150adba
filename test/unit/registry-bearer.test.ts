import { describe, expect, it } from 'vitest';
import type { TslimError } from '../../src/core/errors.js';
import { grantedAccess, TokenCache } from '../../src/registry/bearer.js';
import { classifyPushError, noPushPermission } from '../../src/registry/push-errors.js';

const jwt = (claims: unknown): string =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('TokenCache', () => {
  it('keeps a token per scope until shortly before expires_in, and forgets it after', () => {
    const cache = new TokenCache();
    cache.set('repository:a:pull', 'tok-a', 60, 0);
    expect(cache.get('repository:a:pull', 10_000)).toBe('Bearer tok-a');
    expect(cache.get('repository:a:pull,push', 10_000)).toBeUndefined();
    expect(cache.get('repository:a:pull', 56_000)).toBeUndefined();
  });

  it('uses 60 s when the token service sends no expires_in, and half a very short lifetime', () => {
    const cache = new TokenCache();
    cache.set('s', 't', undefined, 0);
    expect(cache.get('s', 50_000)).toBe('Bearer t');
    cache.set('short', 't2', 2, 0);
    expect(cache.get('short', 900)).toBe('Bearer t2');
    expect(cache.get('short', 1100)).toBeUndefined();
  });
});

describe('grantedAccess', () => {
  it("reads the JWT's access claim; opaque tokens give undefined", () => {
    const token = jwt({ access: [{ type: 'repository', name: 'triton/x', actions: ['pull'] }] });
    expect(grantedAccess(token)).toEqual([{ type: 'repository', name: 'triton/x', actions: ['pull'] }]);
    expect(grantedAccess('opaque-token')).toBeUndefined();
    expect(grantedAccess(jwt({ sub: 'x' }))).toBeUndefined();
  });
});

describe('push errors', () => {
  it('names the robot permission to grant, never a secret', () => {
    const e = noPushPermission('h:1', 'triton/x', 'robot$triton+pull', ['pull'], true);
    expect(e.code).toBe('REGISTRY_AUTH');
    expect(e.message).toContain('grants only pull');
    expect(e.hint).toContain('give robot$triton+pull push permission on project triton');
  });

  it("turns the engine's 413 into the ingress fix and leaves other errors alone", () => {
    const engineText =
      'error parsing HTTP 413 response body: invalid character \'<\' looking for beginning of value: "<html>413 Request Entity Too Large"';
    const e = classifyPushError(new Error(engineText), 'h:1', 'u') as TslimError;
    expect(e.code).toBe('REGISTRY_FAILED');
    expect(e.hint).toContain('client_max_body_size 0');
    const other = new Error('no space left on device');
    expect(classifyPushError(other, 'h:1', 'u')).toBe(other);
  });
});
