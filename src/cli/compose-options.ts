import { usageError } from '../core/errors.js';
import { BUILDERS, defaultInputs, type BuilderChoice, type ComposeInputs, type ImageRole } from '../compose/inputs.js';
import { parseRegistryMirror } from '../compose/mirrors.js';
import type { Profile } from '../compose/profiles.js';
import { mergeServerSettings } from '../compose/server-settings-apply.js';
import { checkProxy, checkSafe } from '../compose/validate.js';

/** Raw commander values of `tslim compose` (see cli/compose.ts for the flags). */
export interface ComposeFlags {
  backend?: string[];
  repoagent?: string[];
  /** --cache values (collected by a listener: --cache and --no-cache share commander's attribute). */
  cacheNames?: string[];
  /** --no-cache (the build's layer cache). */
  noBuildCache?: boolean;
  version?: string;
  containerVersion?: string;
  image?: string[];
  enableGpu?: string | boolean;
  cpuOnly?: boolean;
  registryMirror?: string[];
  aptMirror?: string;
  pipIndexUrl?: string;
  pipTrustedHost?: string;
  cudaRepo?: string;
  cudaRepoKey?: string;
  dcgmVersion?: string;
  dcgm?: boolean;
  httpProxy?: string;
  httpsProxy?: string;
  /** `--no-proxy HOSTS` lands here as a string (commander reads --no-* as a negation). */
  proxy?: string | boolean;
  buildArg?: string[];
  network?: 'host' | 'default';
  pull?: boolean;
  /** --builder auto|buildkit|classic (commander checks the choice; a profile's `builder` too). */
  builder?: string;
  outputName?: string;
  /** --server-arg KEY=VALUE (repeatable): a Triton runtime setting over the profile's `server:`. */
  serverArg?: string[];
}

export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** `--image full,REF` (compose.py) or `--image full=REF`. */
export function parseImageFlag(value: string): [ImageRole, string] {
  const match = /^(full|min|gpu-min)[,=]([\s\S]+)$/.exec(value);
  if (!match)
    throw usageError(`--image ${JSON.stringify(value)}: expected full,REF or full=REF (roles: full, min, gpu-min)`);
  return [match[1] as ImageRole, checkSafe('imageRef', `--image ${match[1]}`, match[2]!)];
}

function parseBuildArg(value: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw usageError(`--build-arg ${JSON.stringify(value)}: expected NAME=VALUE`);
  return [
    checkSafe('buildArgName', '--build-arg name', value.slice(0, eq)),
    checkSafe('buildArgValue', '--build-arg value', value.slice(eq + 1)),
  ];
}

function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const items: unknown[] = Array.isArray(value) ? value : [value];
  return items.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

/** Profile values first, then flags over them; every value checked before it can reach a template. */
export function toInputs(flags: ComposeFlags, profile: Profile | undefined): ComposeInputs {
  const o = profile?.overrides ?? {};
  const str = (flag: string | undefined, key: string): string | undefined =>
    flag ?? (typeof o[key] === 'string' ? o[key] : undefined);
  const inputs = defaultInputs();
  const names = (flag: string[] | undefined, fromProfile: string[] | undefined, what: string): string[] =>
    [...new Set(flag ?? fromProfile ?? [])].map((n) => checkSafe('name', `--${what}`, n));
  inputs.backends = names(flags.backend, profile?.backends, 'backend');
  inputs.repoagents = names(flags.repoagent, profile?.repoagents, 'repoagent');
  inputs.caches = names(flags.cacheNames, profile?.caches, 'cache');

  const version = flags.version ?? flags.containerVersion ?? str(undefined, 'version');
  inputs.containerVersion = version === undefined ? undefined : checkSafe('containerVersion', '--version', version);
  for (const value of flags.image ?? []) {
    const [role, ref] = parseImageFlag(value);
    inputs.images[role] = ref;
  }
  const enableGpu =
    flags.enableGpu === undefined
      ? undefined
      : flags.enableGpu === true || String(flags.enableGpu).toLowerCase() === 'true';
  inputs.gpu = flags.cpuOnly ? false : (enableGpu ?? (o.cpuOnly === true ? false : true));
  inputs.registryMirrors = (flags.registryMirror ?? list(o.registryMirror) ?? []).map(parseRegistryMirror);
  const url = (value: string | undefined, what: string): string | undefined =>
    value === undefined ? undefined : checkSafe('url', what, value.replace(/\/+$/, ''));
  inputs.aptMirror = url(str(flags.aptMirror, 'aptMirror'), '--apt-mirror');
  inputs.pipIndexUrl = url(str(flags.pipIndexUrl, 'pipIndexUrl'), '--pip-index-url');
  const host = str(flags.pipTrustedHost, 'pipTrustedHost');
  inputs.pipTrustedHost = host === undefined ? undefined : checkSafe('host', '--pip-trusted-host', host);
  inputs.cudaRepo = url(str(flags.cudaRepo, 'cudaRepo'), '--cuda-repo');
  inputs.cudaRepoKey = url(str(flags.cudaRepoKey, 'cudaRepoKey'), '--cuda-repo-key');
  if (inputs.cudaRepoKey && !inputs.cudaRepo) throw usageError('--cuda-repo-key needs --cuda-repo');
  const dcgmVersion = str(flags.dcgmVersion, 'dcgmVersion');
  inputs.dcgmVersion = dcgmVersion === undefined ? undefined : checkSafe('dcgmVersion', '--dcgm-version', dcgmVersion);
  inputs.dcgm = flags.dcgm === false ? false : o.dcgm !== false;
  inputs.buildArgs = Object.fromEntries((flags.buildArg ?? list(o.buildArg) ?? []).map(parseBuildArg));
  if (flags.httpProxy !== undefined) inputs.proxy.http = checkProxy('--http-proxy', flags.httpProxy);
  if (flags.httpsProxy !== undefined) inputs.proxy.https = checkProxy('--https-proxy', flags.httpsProxy);
  if (typeof flags.proxy === 'string') inputs.proxy.no = checkProxy('--no-proxy', flags.proxy);
  const network = flags.network ?? str(undefined, 'network');
  if (network !== undefined && network !== 'host' && network !== 'default')
    throw usageError(`--network ${JSON.stringify(network)}: expected host or default`);
  inputs.network = network ?? 'host';
  inputs.pull = flags.pull === true;
  inputs.noCache = flags.noBuildCache === true;
  const builder = str(flags.builder, 'builder') ?? 'auto';
  if (!BUILDERS.includes(builder as BuilderChoice))
    throw usageError(`--builder ${JSON.stringify(builder)}: expected one of ${BUILDERS.join(', ')}`);
  inputs.builder = builder as BuilderChoice;
  inputs.outputName = checkSafe('imageRef', '--output-name', str(flags.outputName, 'outputName') ?? 'tritonserver');
  inputs.server = mergeServerSettings(profile?.server, flags.serverArg ?? []);
  return inputs;
}
