import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildKitOffer, hasNetwork } from '../docker/builders.js';
import type { EngineEndpoint } from '../docker/endpoint.js';
import { pingEngine, type Engine } from '../docker/engine.js';
import { engineSystem } from '../docker/system.js';
import { credentialSources, missingHelpers } from '../registry/credential-sources.js';
import { readDockerConfig } from '../registry/credentials.js';
import { assessLimits, engineKind, engineName, isRootless, type DoctorReport } from './assess.js';

export interface DoctorDeps {
  engine: Engine;
  endpoint: EngineEndpoint;
  /** The docker config dir (credentials); tests pass their own. */
  configDir: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

/** CDI's default spec dirs (github.com/cncf-tags/container-device-interface, pkg/cdi). */
export const CDI_DEFAULT_DIRS = ['/etc/cdi', '/var/run/cdi'];

/** Asks the engine what it is and what it can do; ENGINE_UNREACHABLE when it does not answer. */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const { engine, signal } = deps;
  await pingEngine(engine, signal);
  const config = await readDockerConfig(join(deps.configDir, 'config.json'));
  const [system, buildkit, bridgeNetwork, missing] = await Promise.all([
    engineSystem(engine, signal),
    buildKitOffer(engine, signal),
    hasNetwork(engine, 'bridge', signal),
    missingHelpers(config, deps.env),
  ]);
  const { version, info } = system;
  const kind = engineKind(version);
  const cdi = info.cdiSpecDirs
    ? { dirs: info.cdiSpecDirs, from: 'engine' as const }
    : await localCdiDirs(deps.endpoint);
  const partial: Omit<DoctorReport, 'limits'> = {
    endpoint: deps.endpoint,
    engine: {
      kind,
      name: engineName(kind, version),
      version: version.version,
      apiVersion: version.apiVersion,
      ...(version.minApiVersion ? { minApiVersion: version.minApiVersion } : {}),
      os: version.os,
      arch: version.arch,
      ...(info.operatingSystem ? { operatingSystem: info.operatingSystem } : {}),
      rootless: isRootless(info),
    },
    builders: { classic: true, buildkit, bridgeNetwork },
    gpu: {
      runtimes: info.runtimes,
      ...(info.defaultRuntime ? { defaultRuntime: info.defaultRuntime } : {}),
      nvidiaRuntime: info.runtimes.includes('nvidia'),
      cdi,
    },
    credentials: { configDir: deps.configDir, sources: credentialSources(config, deps.env), missingHelpers: missing },
  };
  return { ...partial, limits: assessLimits(partial) };
}

/**
 * An engine older than Docker 27 does not report CDISpecDirs; on a local socket the usual dirs with
 * at least one spec (.json/.yaml) are the next best answer. A remote engine's dirs are not ours to read.
 */
async function localCdiDirs(endpoint: EngineEndpoint): Promise<DoctorReport['gpu']['cdi']> {
  if (!endpoint.host.startsWith('unix://')) return { dirs: [], from: 'none' };
  const dirs: string[] = [];
  for (const dir of CDI_DEFAULT_DIRS) {
    const names = await readdir(dir).catch(() => [] as string[]);
    if (names.some((n) => /\.(json|ya?ml)$/.test(n))) dirs.push(dir);
  }
  return dirs.length > 0 ? { dirs, from: 'local-dirs' } : { dirs: [], from: 'none' };
}
