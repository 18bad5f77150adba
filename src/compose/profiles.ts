import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { usageError } from '../core/errors.js';
import { PACKAGE_ROOT } from './templates.js';
import { type ServerSettings } from './server-settings.js';
import { parseServerSection } from './server-settings-apply.js';

/** A profile: named components plus compose option overrides. Unknown keys are refused. */
export interface Profile {
  name: string;
  description: string;
  backends: string[];
  repoagents: string[];
  caches: string[];
  /** Compose options by their flag name in camelCase (version, cpuOnly, dcgmVersion, aptMirror, …). */
  overrides: Record<string, string | boolean | string[]>;
  /** Triton runtime settings (docs/compose.md "Server settings"), already validated. */
  server: ServerSettings | undefined;
  path: string;
}

const OVERRIDE_KEYS = new Set([
  'version',
  'cpuOnly',
  'dcgm',
  'dcgmVersion',
  'aptMirror',
  'pipIndexUrl',
  'pipTrustedHost',
  'cudaRepo',
  'cudaRepoKey',
  'registryMirror',
  'buildArg',
  'outputName',
  'network',
  'builder',
]);
const TOP_KEYS = new Set(['name', 'description', 'backends', 'repoagents', 'caches', 'overrides', 'server']);
export const PROFILE_DIR = join(PACKAGE_ROOT, 'profiles');

function stringList(value: unknown, what: string, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw usageError(`profile ${path}: '${what}' must be a list of names`);
}

export function parseProfile(text: string, path: string): Profile {
  let data: unknown;
  try {
    data = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw usageError(
      `profile ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(cause as Error).message.split('\n')[0]}`,
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw usageError(`profile ${path} must be a mapping (backends:, repoagents:, caches:, overrides:)`);
  const record = data as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !TOP_KEYS.has(k));
  if (unknown.length > 0)
    throw usageError(`profile ${path}: unknown key(s) ${unknown.join(', ')}; allowed: ${[...TOP_KEYS].join(', ')}`);
  const overrides = (record.overrides ?? {}) as Record<string, unknown>;
  if (typeof overrides !== 'object' || Array.isArray(overrides))
    throw usageError(`profile ${path}: 'overrides' must be a mapping`);
  for (const [key, value] of Object.entries(overrides)) {
    if (!OVERRIDE_KEYS.has(key))
      throw usageError(`profile ${path}: unknown override '${key}'; allowed: ${[...OVERRIDE_KEYS].join(', ')}`);
    const ok =
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok) throw usageError(`profile ${path}: override '${key}' must be a string, a boolean or a list of strings`);
  }
  const server = record.server;
  if (server !== undefined && server !== null && (typeof server !== 'object' || Array.isArray(server)))
    throw usageError(`profile ${path}: 'server' must be a mapping`);
  return {
    name: typeof record.name === 'string' ? record.name : basename(path, extname(path)),
    description: typeof record.description === 'string' ? record.description : '',
    backends: stringList(record.backends, 'backends', path),
    repoagents: stringList(record.repoagents, 'repoagents', path),
    caches: stringList(record.caches, 'caches', path),
    overrides: overrides as Profile['overrides'],
    server:
      server === undefined || server === null
        ? undefined
        : parseServerSection(server as Record<string, unknown>, `profile ${path}: server`),
    path,
  };
}

/** `--profile NAME` looks in the package's profiles/; anything with a slash or extension is a path. */
export async function loadProfile(nameOrPath: string): Promise<Profile> {
  const isPath = nameOrPath.includes('/') || /\.(ya?ml|json)$/.test(nameOrPath);
  const candidates = isPath
    ? [nameOrPath]
    : ['.yaml', '.yml', '.json'].map((ext) => join(PROFILE_DIR, `${nameOrPath}${ext}`));
  for (const path of candidates) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      if (!isPath && (cause as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw usageError(`cannot read profile ${path}: ${(cause as Error).message}`);
    }
    return parseProfile(text, path);
  }
  const known = (await listProfiles()).map((p) => p.name).join(', ');
  throw usageError(
    `unknown profile '${nameOrPath}'; shipped profiles: ${known || 'none'}`,
    'or pass a path to a .yaml/.json file',
  );
}

export async function listProfiles(): Promise<Profile[]> {
  const files = (await readdir(PROFILE_DIR).catch(() => [] as string[]))
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
  return Promise.all(
    files.map(async (f) => parseProfile(await readFile(join(PROFILE_DIR, f), 'utf8'), join(PROFILE_DIR, f))),
  );
}
