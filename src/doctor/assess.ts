import type { BuildKitOffer } from '../docker/builders.js';
import type { EngineEndpoint } from '../docker/endpoint.js';
import type { EngineInfo, EngineVersion } from '../docker/system.js';
import type { CredentialSource } from '../registry/credential-sources.js';

export type EngineKind = 'docker' | 'podman' | 'other';

/** What `tslim doctor` found: plain data, printed as a table or as one JSON object. */
export interface DoctorReport {
  endpoint: EngineEndpoint;
  engine: {
    kind: EngineKind;
    name: string;
    version: string;
    apiVersion: string;
    minApiVersion?: string;
    os: string;
    arch: string;
    operatingSystem?: string;
    rootless: boolean;
  };
  builders: { classic: true; buildkit: BuildKitOffer; bridgeNetwork: boolean };
  gpu: {
    runtimes: string[];
    defaultRuntime?: string;
    nvidiaRuntime: boolean;
    /** CDI spec dirs the engine reports (Docker 27+), else the usual ones present on this machine. */
    cdi: { dirs: string[]; from: 'engine' | 'local-dirs' | 'none' };
  };
  credentials: { configDir: string; sources: CredentialSource[]; missingHelpers: string[] };
  /** What will not work on this engine, each with what to do instead. */
  limits: string[];
}

/**
 * Podman's compat /version lists Components [{Name: "Podman Engine"}] (Docker's says "Engine");
 * https://github.com/containers/podman/blob/main/pkg/api/handlers/compat/version.go
 */
export function engineKind(version: EngineVersion): EngineKind {
  const names = version.components.map((c) => c.name.toLowerCase());
  if (names.some((n) => n.includes('podman'))) return 'podman';
  if (names.includes('engine') || names.length === 0) return 'docker';
  return 'other';
}

export function engineName(kind: EngineKind, version: EngineVersion): string {
  if (kind === 'podman') return 'Podman';
  if (kind === 'docker') return 'Docker Engine';
  return version.components[0]?.name ?? 'unknown engine';
}

/** API 1.44 is where DeviceRequests accept the `cdi` driver (verify --gpu-driver cdi). */
function apiAtLeast(api: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(api);
  if (!m) return false;
  return Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor);
}

export function isRootless(info: EngineInfo): boolean {
  return info.securityOptions.some((o) => /(^|,)name=rootless(,|$)/.test(o));
}

/** The list of things that will not work here, from the facts alone (no engine calls). */
export function assessLimits(report: Omit<DoctorReport, 'limits'>): string[] {
  const limits: string[] = [];
  const { engine, builders, gpu, credentials } = report;
  const cdiUsable = gpu.cdi.dirs.length > 0 && apiAtLeast(engine.apiVersion, 1, 44);
  if (!gpu.nvidiaRuntime && !cdiUsable) {
    limits.push(
      'no GPU runtime (no nvidia runtime, no usable CDI): verify and verify-user need --gpus none (CPU backends only; tensorrt cannot be verified)',
    );
  } else if (!gpu.nvidiaRuntime) {
    limits.push('no nvidia runtime: verify with GPUs needs --gpu-driver cdi (the engine has CDI specs)');
  } else if (!cdiUsable) {
    limits.push('no CDI on this engine: verify --gpu-driver cdi will not work; use the default --gpu-driver nvidia');
  }
  if (!builders.buildkit.offered) {
    limits.push(
      `BuildKit unavailable (${builders.buildkit.why}): compose builds with the classic builder; --builder buildkit is tried anyway and may fail`,
    );
  } else if (!builders.bridgeNetwork) {
    limits.push("no 'bridge' network: compose --builder buildkit --network default fails; keep --network host");
  }
  if (engine.kind === 'podman') {
    limits.push(
      'Podman: builds run on Buildah through the Docker API (no BuildKit progress, --builder classic); see docs/engines.md for the differences tslim adapts to',
      // Podman 4.3's compat pull (POST /images/create) ignores tlsVerify: only registries.conf helps
      'Podman: pulls and build FROMs from a plain-HTTP registry, loopback included, need it marked `insecure = true` in the registries.conf of the Podman service (tslim cannot say it per pull; push it can)',
    );
  }
  if (engine.kind === 'other') limits.push(`an engine tslim was not tested with (${engine.name}): expect differences`);
  if (engine.os !== 'linux') limits.push(`an engine for ${engine.os}: Triton images are linux images`);
  if (engine.arch !== 'amd64' && engine.arch !== 'arm64')
    limits.push(`arch ${engine.arch}: Triton ships amd64 and arm64 only`);
  for (const program of credentials.missingHelpers) {
    limits.push(
      `${program} (named in config.json) is not on PATH: push and --pull to its registries fail until it is installed`,
    );
  }
  return limits;
}
