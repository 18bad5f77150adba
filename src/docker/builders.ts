import { dialEngine } from './dial.js';
import type { Engine } from './engine.js';
import { engineError } from './images.js';

/** Whether the engine offers BuildKit for API builds (POST /build?version=2), and why. */
export interface BuildKitOffer {
  offered: boolean;
  why: string;
}

function apiAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  return Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor);
}

/**
 * Reads the /_ping headers. `Builder-Version` is the engine's own answer: "2" (BuildKit; the default
 * since Engine 23) or "1" (daemon.json sets features.buildkit=false). Engine 18.09-20.10 send it only
 * when daemon.json sets features.buildkit, yet every Linux dockerd since 18.09 (API 1.39) builds
 * with BuildKit when asked (version=2); so no header, OSType linux and API >= 1.39 also count.
 * Podman's Docker API (Libpod-Api-Version) builds with Buildah whatever `version` says: classic.
 */
export async function buildKitOffer(engine: Engine, signal?: AbortSignal): Promise<BuildKitOffer> {
  let headers: Record<string, string | string[] | undefined>;
  try {
    const res = await dialEngine(engine, { method: 'GET', path: '/_ping', ...(signal ? { signal } : {}) });
    headers = res.headers;
    res.resume();
  } catch (cause) {
    throw engineError(cause, 'asking the engine which builders it has (/_ping)');
  }
  const header = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const builder = header('builder-version');
  const api = header('api-version');
  if (builder === '2') return { offered: true, why: 'the engine says Builder-Version 2' };
  if (builder === '1') return { offered: false, why: 'the engine says Builder-Version 1 (BuildKit turned off)' };
  if (header('libpod-api-version')) return { offered: false, why: 'a Podman engine (Buildah, not BuildKit)' };
  if (header('ostype') !== 'linux')
    return { offered: false, why: `an engine for ${header('ostype') ?? 'an unknown OS'}` };
  if (!apiAtLeast(api, 1, 39)) return { offered: false, why: `Engine API ${api ?? '?'} (BuildKit needs 1.39+)` };
  return { offered: true, why: `a Linux engine with API ${api} (BuildKit since 1.39; no Builder-Version header)` };
}

/** True when the engine has a network of that name (BuildKit's default network mode needs `bridge`). */
export async function hasNetwork(engine: Engine, name: string, signal?: AbortSignal): Promise<boolean> {
  try {
    signal?.throwIfAborted();
    await engine.getNetwork(name).inspect();
    return true;
  } catch (cause) {
    if ((cause as { statusCode?: number } | undefined)?.statusCode === 404) return false;
    throw engineError(cause, `inspecting network ${name}`);
  }
}
