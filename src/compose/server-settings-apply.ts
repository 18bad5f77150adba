// Server settings as a whole: a profile's section and --server-arg parsed, merged, checked together,
// and rendered as tritonserver flags. The per-key table and value parsing are in server-settings.ts.
import { usageError } from '../core/errors.js';
import {
  KEYS,
  spec,
  parseSetting,
  unknownKey,
  isServerKey,
  type ServerKey,
  type ServerSettings,
  type ServerValue,
} from './server-settings.js';

/** A profile's `server:` mapping, every key known and every value valid. */
export function parseServerSection(section: Record<string, unknown>, where: string): ServerSettings {
  const settings: ServerSettings = {};
  for (const [key, raw] of Object.entries(section)) {
    try {
      settings[key as ServerKey] = parseSetting(key, raw);
    } catch (error) {
      if (error instanceof Error) error.message = `${where}: ${error.message}`;
      throw error;
    }
  }
  return checkServerSettings(settings);
}

/** `--server-arg KEY=VALUE` (a leading -- on KEY is accepted, as Triton spells its flags). */
export function parseServerArg(text: string): [ServerKey, ServerValue] {
  const eq = text.indexOf('=');
  if (eq <= 0)
    throw usageError(
      `--server-arg ${JSON.stringify(text)}: expected KEY=VALUE, e.g. --server-arg pinned-memory-pool-byte-size=256MiB`,
    );
  const key = text.slice(0, eq).replace(/^--/, '');
  if (!isServerKey(key)) unknownKey(key);
  return [key, parseSetting(key, text.slice(eq + 1))];
}

/**
 * Flags over the profile: a key given with --server-arg replaces the profile's value. Repeated
 * --server-arg of one list key (load-model, model-repository) collect; of cuda-memory-pool-byte-size
 * merge per GPU.
 */
export function mergeServerSettings(
  profile: ServerSettings | undefined,
  args: readonly string[],
): ServerSettings | undefined {
  if (args.length === 0)
    return profile === undefined || Object.keys(profile).length === 0 ? undefined : checkServerSettings({ ...profile });
  const fromFlags: ServerSettings = {};
  for (const text of args) {
    const [key, value] = parseServerArg(text);
    const before = fromFlags[key];
    if (Array.isArray(before) && Array.isArray(value)) fromFlags[key] = [...before, ...value];
    else if (isGpuSizes(before) && isGpuSizes(value)) fromFlags[key] = { ...before, ...value };
    else fromFlags[key] = value;
  }
  return checkServerSettings({ ...profile, ...fromFlags });
}

function isGpuSizes(value: ServerValue | undefined): value is Record<string, number> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rules between keys, as Triton applies them. */
export function checkServerSettings(settings: ServerSettings): ServerSettings {
  const load = settings['load-model'];
  if (Array.isArray(load)) {
    if (settings['model-control-mode'] !== 'explicit') {
      throw usageError(
        "server setting 'load-model' needs model-control-mode explicit (Triton ignores --load-model otherwise)",
        'add model-control-mode: explicit',
      );
    }
  }
  const ports = (['http-port', 'grpc-port', 'metrics-port'] as const).filter((k) => settings[k] !== undefined);
  for (const [i, a] of ports.entries()) {
    for (const b of ports.slice(i + 1)) {
      if (settings[a] === settings[b])
        throw usageError(
          `server settings '${a}' and '${b}' are both ${JSON.stringify(settings[a])}; each service needs its own port`,
        );
    }
  }
  return settings;
}

/** tritonserver flags for the settings, in SERVER_SETTINGS order (shm-size is not a flag). */
export function toTritonArgs(settings: ServerSettings | undefined): string[] {
  if (!settings) return [];
  const args: string[] = [];
  for (const key of KEYS) {
    const value = settings[key];
    if (value === undefined || spec(key).flag === false) continue;
    if (Array.isArray(value)) args.push(...value.map((v) => `--${key}=${v}`));
    else if (isGpuSizes(value)) {
      const gpus = Object.keys(value).sort((a, b) => Number(a) - Number(b));
      args.push(...gpus.map((gpu) => `--${key}=${gpu}:${value[gpu]}`));
    } else args.push(`--${key}=${String(value)}`);
  }
  return args;
}

export function shmSizeOf(settings: ServerSettings | undefined): number | undefined {
  const value = settings?.['shm-size'];
  return typeof value === 'number' ? value : undefined;
}
