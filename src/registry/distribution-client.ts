import { TslimError } from '../core/errors.js';
import { registryUnreachable } from './unreachable.js';
import { basic, challengeScope, grantedAccess, TokenCache, tokenFromBody, tokenUrl } from './bearer.js';
import type { RegistryAuth } from './credentials.js';
import { isLoopbackRegistry } from './loopback.js';
import {
  compressedLayerBytes,
  isIndex,
  MANIFEST_ACCEPT,
  parseChallenge,
  type Challenge,
  pickPlatform,
  sha256Digest,
  type ManifestJson,
} from './digest.js';
import { optional } from '../core/optional.js';

export interface DistributionClientOptions {
  /** host[:port] as in the image reference. */
  registry: string;
  auth?: RegistryAuth;
  /** Plain HTTP; loopback registries always use it (as dockerd does). */
  insecure?: boolean;
  signal?: AbortSignal;
}

export interface RemoteManifest {
  /** Docker-Content-Digest of what the tag points at (sha256 of the body when the header is absent). */
  digest: string;
  mediaType: string;
  /** Digest of the image config (equals the local image ID for images the engine pushed). */
  configDigest?: string;
  /** Sum of the layer sizes (for an index: of the linux/amd64 manifest). */
  compressedBytes?: number;
}

/**
 * A small client for the registry's distribution API (https://distribution.github.io/distribution/spec/api/):
 * anonymous first, then Basic or a Bearer token as the 401 challenge asks; tokens are cached per
 * scope until their expires_in and renewed on a 401 (https://distribution.github.io/distribution/spec/auth/token/).
 */
export class DistributionClient {
  readonly baseUrl: string;
  readonly #options: DistributionClientOptions;
  /** The scheme the registry's first 401 asked for. */
  #scheme: 'basic' | 'bearer' | undefined;
  #bearer: Challenge | undefined;
  readonly #tokens = new TokenCache();
  /** Tokens fetched so far (a renewal adds one); tests and the bench read it. */
  tokensFetched = 0;

  constructor(options: DistributionClientOptions) {
    this.#options = options;
    const scheme = options.insecure || isLoopbackRegistry(options.registry) ? 'http' : 'https';
    this.baseUrl = `${scheme}://${options.registry}`;
  }

  /** The manifest a tag (or digest) points at; undefined when the registry has no such tag. */
  async manifest(repository: string, reference: string): Promise<RemoteManifest | undefined> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const scope = `repository:${repository}:pull`;
    const response = await this.request('GET', path, { accept: MANIFEST_ACCEPT, scope });
    if (response.status === 404) return undefined;
    await this.ensureOk(response, `GET ${path}`);
    const body = new Uint8Array(await response.arrayBuffer());
    const json = JSON.parse(Buffer.from(body).toString('utf8')) as ManifestJson;
    const contentType = response.headers.get('content-type') ?? undefined;
    const digest = response.headers.get('docker-content-digest') ?? sha256Digest(body);
    const mediaType = json.mediaType ?? contentType ?? 'unknown';
    if (isIndex(json, contentType)) {
      const child = pickPlatform(json);
      const platform = child ? await this.manifest(repository, child) : undefined;
      return {
        digest,
        mediaType,
        ...optional('configDigest', platform?.configDigest),
        ...optional('compressedBytes', platform?.compressedBytes),
      };
    }
    return {
      digest,
      mediaType,
      ...optional('configDigest', json.config?.digest),
      ...optional('compressedBytes', compressedLayerBytes(json)),
    };
  }

  /**
   * One request to the distribution API. Sends what worked before (Basic, or the cached Bearer token
   * of this scope); a 401 is answered once: Basic, or a fresh token from the challenge's realm. So
   * an expired token is renewed on the 401 it causes.
   */
  async request(
    method: string,
    path: string,
    options: { accept?: string; scope?: string; body?: Uint8Array; contentType?: string } = {},
  ): Promise<Response> {
    const send = (authorization: string | undefined): Promise<Response> =>
      this.#fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(options.accept ? { accept: options.accept } : {}),
          ...(options.contentType ? { 'content-type': options.contentType } : {}),
          ...(authorization ? { authorization } : {}),
        },
        ...(options.body ? { body: options.body } : {}),
      });
    let response = await send(this.#knownAuthorization(options.scope));
    if (response.status !== 401) return response;
    const header = response.headers.get('www-authenticate');
    await response.body?.cancel();
    response = await send(await this.#answerChallenge(header, options.scope));
    if (response.status === 401) {
      const again = parseChallenge(response.headers.get('www-authenticate') ?? '');
      await response.body?.cancel();
      if (again?.params.error === 'insufficient_scope') {
        throw this.#authError(
          `denied ${method} ${path}: its token service granted less than '${options.scope ?? again.params.scope ?? ''}'`,
        );
      }
      throw this.#authError('rejected the credentials');
    }
    return response;
  }

  /**
   * The actions the registry's token service grants on REPOSITORY when asked for pull and push
   * (a fresh token, read from its JWT `access` claim). Undefined when the registry does not use
   * Bearer tokens or its tokens are opaque: then only the push itself can tell.
   */
  async grantedActions(repository: string): Promise<string[] | undefined> {
    if (this.#scheme === undefined) {
      const response = await this.request('GET', '/v2/');
      await response.body?.cancel();
    }
    if (this.#scheme !== 'bearer' || !this.#bearer) return undefined;
    const scope = `repository:${repository}:pull,push`;
    const { token } = await this.#fetchToken(this.#bearer, scope);
    const access = grantedAccess(token);
    if (!access) return undefined;
    return [
      ...new Set(access.filter((a) => a.type === 'repository' && a.name === repository).flatMap((a) => a.actions)),
    ];
  }

  /** True once the registry asked for Bearer tokens. */
  get usesTokens(): boolean {
    return this.#scheme === 'bearer';
  }

  /**
   * A request to an API beside the registry (Harbor's /api/v2.0): Basic credentials when tslim has
   * them (Harbor takes users' and robot accounts' passwords there), never a registry token.
   */
  async apiRequest(method: string, path: string): Promise<Response> {
    const auth = this.#options.auth;
    return this.#fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { accept: 'application/json', ...(auth ? { authorization: basic(auth) } : {}) },
    });
  }

  #knownAuthorization(scope: string | undefined): string | undefined {
    if (this.#scheme === 'basic' && this.#options.auth) return basic(this.#options.auth);
    if (this.#scheme === 'bearer') return this.#tokens.get(scope ?? '');
    return undefined;
  }

  async #answerChallenge(header: string | null, scope: string | undefined): Promise<string> {
    const challenge = header ? parseChallenge(header) : undefined;
    const auth = this.#options.auth;
    if (!challenge || challenge.scheme === 'basic') {
      if (!auth) throw this.#authError('requires credentials and none were found');
      this.#scheme = 'basic';
      return basic(auth);
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) {
      throw new TslimError(
        'REGISTRY_FAILED',
        `registry ${this.#options.registry} asks for unsupported auth '${header ?? ''}'`,
      );
    }
    this.#scheme = 'bearer';
    this.#bearer = challenge;
    const { token, expiresIn } = await this.#fetchToken(challenge, challengeScope(challenge, scope));
    return this.#tokens.set(scope ?? '', token, expiresIn);
  }

  /** GET realm?service=…&scope=… with Basic credentials (or none); the token, never logged. */
  async #fetchToken(challenge: Challenge, scope: string): Promise<{ token: string; expiresIn?: number }> {
    const auth = this.#options.auth;
    const url = tokenUrl(challenge, scope);
    const response = await this.#fetch(url.toString(), {
      method: 'GET',
      headers: auth ? { authorization: basic(auth) } : {},
    });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw this.#authError(`'s token service (${url.origin}) rejected the credentials`);
    }
    await this.ensureOk(response, `GET ${url.origin}${url.pathname}`);
    const token = tokenFromBody(await response.json(), url.origin);
    this.tokensFetched += 1;
    return token;
  }

  async #fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        redirect: 'follow',
        ...(this.#options.signal ? { signal: this.#options.signal } : {}),
      });
    } catch (cause) {
      if (this.#options.signal?.aborted) throw new TslimError('ABORTED', 'interrupted', { cause });
      const inner = (cause as Error).cause as (Error & { code?: unknown }) | undefined;
      const reason = inner?.message ?? (cause as Error).message;
      const registry = this.#options.registry;
      const found = registryUnreachable(reason, registry, typeof inner?.code === 'string' ? inner.code : '', 'tslim');
      const plain = this.baseUrl.startsWith('https') ? '; a plain-HTTP registry needs --insecure' : '';
      throw new TslimError(
        'REGISTRY_FAILED',
        `cannot reach registry ${registry} at ${new URL(url).origin}: ${found ? `${found.summary}: ` : ''}${reason}`,
        {
          cause,
          hint: found ? found.fix : `is it up?${plain}`,
          details: { registry, ...(found ? { reason: found.kind } : {}) },
        },
      );
    }
  }

  /** Throws the registry's answer as a TslimError unless it is a 2xx. */
  async ensureOk(response: Response, what: string): Promise<void> {
    if (response.ok) return;
    const text = (await response.text().catch(() => '')).slice(0, 300).trim();
    if (response.status === 403) throw this.#authError(`denied ${what}`);
    throw new TslimError(
      'REGISTRY_FAILED',
      `registry ${this.#options.registry}: ${what} answered ${response.status}${text ? `: ${text}` : ''}`,
      {
        details: { status: response.status },
      },
    );
  }

  #authError(what: string): TslimError {
    const user = this.#options.auth?.username;
    const sep = what.startsWith("'") ? '' : ' ';
    return new TslimError(
      'REGISTRY_AUTH',
      `registry ${this.#options.registry}${sep}${what}${user ? ` (user '${user}')` : ' (anonymous)'}`,
      {
        hint: 'check --username/--password-stdin, TSLIM_REGISTRY_USERNAME/TSLIM_REGISTRY_PASSWORD or `docker login` (docs/push.md)',
        details: { registry: this.#options.registry, ...(user ? { username: user } : {}) },
      },
    );
  }
}
