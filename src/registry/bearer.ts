import { TslimError } from '../core/errors.js';
import type { RegistryAuth } from './credentials.js';
import type { Challenge } from './digest.js';

export function basic(auth: RegistryAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

/** The realm URL with service and scope, as the token spec asks for them. */
export function tokenUrl(challenge: Challenge, scope: string): URL {
  const url = new URL(challenge.params.realm ?? '');
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  if (scope) url.searchParams.set('scope', scope);
  return url;
}

/** The token of a token service's answer (`token`, or OAuth's `access_token`), and its lifetime. */
export function tokenFromBody(value: unknown, origin: string): { token: string; expiresIn?: number } {
  const body = (value ?? {}) as { token?: string; access_token?: string; expires_in?: number };
  const token = body.token ?? body.access_token;
  if (!token) throw new TslimError('REGISTRY_FAILED', `token service ${origin} answered without a token`);
  return typeof body.expires_in === 'number' ? { token, expiresIn: body.expires_in } : { token };
}

/** A registry token and when tslim stops using it. */
export interface CachedToken {
  authorization: string;
  /** ms since the epoch; a 401 before that still renews it. */
  expiresAt: number;
}

/**
 * The token spec's default lifetime when a token service sends no expires_in, and the margin kept
 * before a token's end so a request does not start with a token about to lapse
 * (https://distribution.github.io/distribution/spec/auth/token/#token-response-fields).
 */
const DEFAULT_LIFETIME_S = 60;
const MARGIN_MS = 5_000;

/** Bearer tokens per scope, so a pull token is not reused where push was asked for, and vice versa. */
export class TokenCache {
  readonly #tokens = new Map<string, CachedToken>();

  get(scope: string, now = Date.now()): string | undefined {
    const token = this.#tokens.get(scope);
    if (!token) return undefined;
    if (now < token.expiresAt) return token.authorization;
    this.#tokens.delete(scope);
    return undefined;
  }

  set(scope: string, token: string, expiresInS: number | undefined, now = Date.now()): string {
    const lifetimeMs = (expiresInS && expiresInS > 0 ? expiresInS : DEFAULT_LIFETIME_S) * 1000;
    const authorization = `Bearer ${token}`;
    this.#tokens.set(scope, { authorization, expiresAt: now + Math.max(lifetimeMs - MARGIN_MS, lifetimeMs / 2) });
    return authorization;
  }

  forget(scope: string): void {
    this.#tokens.delete(scope);
  }
}

/** The scope a Bearer challenge names, else the one the caller wanted ('' for /v2/). */
export function challengeScope(challenge: Challenge, wanted: string | undefined): string {
  return challenge.params.scope ?? wanted ?? '';
}

/** One entry of a token's `access` claim (distribution's JWT format, also Harbor's and nvcr.io's). */
export interface GrantedAccess {
  type: string;
  name: string;
  actions: string[];
}

/**
 * The `access` claim of a JWT token, read without checking the signature (the registry checks it;
 * tslim only wants to tell a missing permission apart from a wrong password). Undefined for an
 * opaque token.
 */
export function grantedAccess(token: string): GrantedAccess[] | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { access?: unknown };
    if (!Array.isArray(claims.access)) return undefined;
    return claims.access.filter(
      (a): a is GrantedAccess =>
        typeof a === 'object' &&
        a !== null &&
        typeof (a as GrantedAccess).name === 'string' &&
        Array.isArray((a as GrantedAccess).actions),
    );
  } catch {
    return undefined;
  }
}
