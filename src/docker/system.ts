import type { Engine } from './engine.js';
import { engineError } from './images.js';

/** The parts of GET /version that tslim reads; Podman adds Components[{Name: "Podman Engine"}]. */
export interface EngineVersion {
  version: string;
  apiVersion: string;
  minApiVersion?: string;
  os: string;
  arch: string;
  kernel?: string;
  components: { name: string; version: string }[];
}

/** The parts of GET /info that tslim reads. CDISpecDirs appears with Docker 27 (API 1.46+). */
export interface EngineInfo {
  name?: string;
  operatingSystem?: string;
  serverVersion?: string;
  runtimes: string[];
  defaultRuntime?: string;
  cdiSpecDirs?: string[];
  securityOptions: string[];
  cgroupVersion?: string;
  storageDriver?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined;

/** GET /version, checked field by field (dockerode types it loosely; Podman fills it its own way). */
export function parseVersion(raw: unknown): EngineVersion {
  const v = obj(raw);
  const components = (Array.isArray(v.Components) ? v.Components : []).map((c) => {
    const o = obj(c);
    return { name: str(o.Name) ?? '?', version: str(o.Version) ?? '?' };
  });
  const minApiVersion = str(v.MinAPIVersion);
  const kernel = str(v.KernelVersion);
  return {
    version: str(v.Version) ?? '?',
    apiVersion: str(v.ApiVersion) ?? '?',
    ...(minApiVersion ? { minApiVersion } : {}),
    os: str(v.Os) ?? '?',
    arch: str(v.Arch) ?? '?',
    ...(kernel ? { kernel } : {}),
    components,
  };
}

/** GET /info: Runtimes is an object keyed by runtime name; CDISpecDirs a list (absent before API 1.46). */
export function parseInfo(raw: unknown): EngineInfo {
  const i = obj(raw);
  const pick = (key: string, from: unknown): Record<string, string> => {
    const s = str(from);
    return s ? { [key]: s } : {};
  };
  const cdi = strings(i.CDISpecDirs);
  return {
    ...pick('name', i.Name),
    ...pick('operatingSystem', i.OperatingSystem),
    ...pick('serverVersion', i.ServerVersion),
    runtimes: Object.keys(obj(i.Runtimes)).sort(),
    ...pick('defaultRuntime', i.DefaultRuntime),
    ...(cdi ? { cdiSpecDirs: cdi } : {}),
    securityOptions: strings(i.SecurityOptions) ?? [],
    ...pick('cgroupVersion', i.CgroupVersion),
    ...pick('storageDriver', i.Driver),
  };
}

/** GET /version and GET /info, in parallel. */
export async function engineSystem(
  engine: Engine,
  signal?: AbortSignal,
): Promise<{ version: EngineVersion; info: EngineInfo }> {
  try {
    // dockerode passes opts.abortSignal on for both, though its typings list no options
    type Call = (options: { abortSignal?: AbortSignal }) => Promise<unknown>;
    const getVersion = engine.version.bind(engine) as Call;
    const getInfo = engine.info.bind(engine) as Call;
    const [version, info] = await Promise.all([getVersion({ abortSignal: signal }), getInfo({ abortSignal: signal })]);
    return { version: parseVersion(version), info: parseInfo(info) };
  } catch (cause) {
    throw engineError(cause, 'asking the engine what it is (/version, /info)');
  }
}
