import type { RawImage } from '../docker/images.js';
import { compareText } from '../core/compare.js';

/** The image config as the Engine API returns it (dockerode's type lacks StopSignal). */
type Config = NonNullable<RawImage['Config']> & { StopSignal?: string };

/** Quotes a value for ENV/LABEL/WORKDIR: the builder substitutes `$VAR` there, so `$` is escaped too. */
function quote(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/**
 * The `docker import --change` instructions that give an imported filesystem the original image's
 * config: env, entrypoint, cmd, workdir, user, labels, exposed ports, volumes and stop signal.
 */
export function configChanges(config: Config, extraLabels: Record<string, string> = {}): string[] {
  const out: string[] = [];
  for (const env of config.Env ?? []) {
    const at = env.indexOf('=');
    if (at > 0) out.push(`ENV ${env.slice(0, at)}=${quote(env.slice(at + 1))}`);
  }
  const labels = { ...(config.Labels ?? {}), ...extraLabels };
  for (const [key, value] of Object.entries(labels)) out.push(`LABEL ${quote(key)}=${quote(value)}`);
  if (config.Entrypoint && config.Entrypoint.length > 0) out.push(`ENTRYPOINT ${JSON.stringify(config.Entrypoint)}`);
  if (config.Cmd && config.Cmd.length > 0) out.push(`CMD ${JSON.stringify(config.Cmd)}`);
  if (config.WorkingDir) out.push(`WORKDIR ${quote(config.WorkingDir)}`);
  if (config.User) out.push(`USER ${config.User}`);
  for (const port of Object.keys(config.ExposedPorts ?? {})) out.push(`EXPOSE ${port}`);
  const volumes = Object.keys(config.Volumes ?? {});
  if (volumes.length > 0) out.push(`VOLUME ${JSON.stringify(volumes)}`);
  if (config.StopSignal) out.push(`STOPSIGNAL ${config.StopSignal}`);
  return out;
}

const COMPARED = [
  'Env',
  'Entrypoint',
  'Cmd',
  'WorkingDir',
  'User',
  'ExposedPorts',
  'Volumes',
  'StopSignal',
  'Labels',
] as const;

function normalized(config: Config, field: (typeof COMPARED)[number], ignoreLabels: readonly string[]): string {
  let value: unknown = config[field];
  if (field === 'Labels') {
    const labels = { ...(config.Labels ?? {}) };
    for (const k of ignoreLabels) delete labels[k];
    value = labels;
  }
  if (value === null || value === undefined || value === '') return 'null';
  if (Array.isArray(value) && value.length === 0) return 'null';
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value).sort(([a], [b]) => compareText(a, b));
    return entries.length === 0 ? 'null' : JSON.stringify(entries);
  }
  return JSON.stringify(value);
}

/** Config fields that differ between two images (tslim's own trim labels aside). */
export function configDifferences(a: Config, b: Config, ignoreLabels: readonly string[]): string[] {
  return COMPARED.filter((f) => normalized(a, f, ignoreLabels) !== normalized(b, f, ignoreLabels));
}
