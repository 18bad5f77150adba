import { TslimError } from '../core/errors.js';
import type { RegistryAuth } from './credentials.js';
import { isLoopbackRegistry } from './loopback.js';
import {
  compressedLayerBytes,
  isIndex,
  MANIFEST_ACCEPT,
  parseChallenge,
  pickPlatform,
  sha256Digest,
  type ManifestJson,
} from './digest.js';

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
 * anonymous first, then Basic or a Bearer token as the 401 challenge asks.
 */
export class DistributionClient {
  readonly baseUrl: string;
  readonly #options: DistributionClientOptions;
  #authorization: string | undefined;

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
    await this.#ensureOk(response, `GET ${path}`);
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

  /** One request, answering a 401 challenge once (Basic, or Bearer via the token realm). */
  async request(method: string, path: string, options: { accept?: string; scope?: string } = {}): Promise<Response> {
    const send = (authorization: string | undefined): Promise<Response> =>
      this.#fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { ...(options.accept ? { accept: options.accept } : {}), ...(authorization ? { authorization } : {}) },
      });
    let response = await send(this.#authorization);
    if (response.status !== 401) return response;
    await response.body?.cancel();
    this.#authorization = await this.#answerChallenge(response.headers.get('www-authenticate'), options.scope);
    response = await send(this.#authorization);
    if (response.status === 401) {
      await response.body?.cancel();
      throw this.#authError('rejected the credentials');
    }
    return response;
  }

  async #answerChallenge(header: string | null, scope: string | undefined): Promise<string> {
    const challenge = header ? parseChallenge(header) : undefined;
    const auth = this.#options.auth;
    if (!challenge || challenge.scheme === 'basic') {
      if (!auth) throw this.#authError('requires credentials and none were found');
      return basic(auth);
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) {
      throw new TslimError(
        'REGISTRY_FAILED',
        `registry ${this.#options.registry} asks for unsupported auth '${header ?? ''}'`,
      );
    }
    const url = new URL(challenge.params.realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    const wanted = challenge.params.scope ?? scope;
    if (wanted) url.searchParams.set('scope', wanted);
    const response = await this.#fetch(url.toString(), {
      method: 'GET',
      headers: auth ? { authorization: basic(auth) } : {},
    });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw this.#authError(`'s token service (${url.origin}) rejected the credentials`);
    }
    await this.#ensureOk(response, `GET ${url.origin}${url.pathname}`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new TslimError('REGISTRY_FAILED', `token service ${url.origin} answered without a token`);
    return `Bearer ${token}`;
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
      const reason = ((cause as Error).cause as Error | undefined)?.message ?? (cause as Error).message;
      throw new TslimError(
        'REGISTRY_FAILED',
        `cannot reach registry ${this.#options.registry} at ${new URL(url).origin}: ${reason}`,
        {
          cause,
          hint: this.baseUrl.startsWith('https') ? 'is it up? a plain-HTTP registry needs --insecure' : 'is it up?',
        },
      );
    }
  }

  async #ensureOk(response: Response, what: string): Promise<void> {
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

function basic(auth: RegistryAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
}
