import type { RawImage } from '../docker/images.js';
import { compareText } from '../core/compare.js';

/** The image config as the Engine API returns it (dockerode's type lacks StopSignal). */
export type Config = NonNullable<RawImage['Config']> & { StopSignal?: string };

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
