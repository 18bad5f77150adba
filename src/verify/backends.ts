import { usageError } from '../core/errors.js';
import { IMAGE_LABELS } from '../core/labels.js';
import type { Engine } from '../docker/engine.js';
import { isSampleBackend, SAMPLE_BACKENDS, type SampleBackend } from './sample-backends.js';

/** Label compose puts on slim images: the backends it kept, comma-separated. */
export const BACKENDS_LABEL = IMAGE_LABELS.backends;

export interface BackendSelection {
  backends: SampleBackend[];
  /** Backends the image holds that tslim has no sample model for (reported, not verified). */
  withoutSample: string[];
  source: 'option' | 'label' | 'inspect' | 'server';
}

export function parseBackendList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Checks --backend names: each must have a sample model. */
export function explicitBackends(names: readonly string[]): BackendSelection {
  const unknown = names.filter((n) => !isSampleBackend(n));
  if (unknown.length > 0) {
    throw usageError(
      `no sample model for backend '${unknown.join("', '")}'; tslim has samples for: ${SAMPLE_BACKENDS.join(', ')}`,
    );
  }
  return { backends: [...new Set(names as SampleBackend[])], withoutSample: [], source: 'option' };
}

/** Splits what an image holds into backends with a sample and the rest. */
export function fromHeld(held: readonly string[], source: BackendSelection['source']): BackendSelection {
  const set = [...new Set(held)];
  return {
    backends: SAMPLE_BACKENDS.filter((b) => set.includes(b)),
    withoutSample: set.filter((b) => !isSampleBackend(b)).sort(),
    source,
  };
}

/** --backend, else the dev.tslim.backends label, else the image's /opt/tritonserver/backends (inspect). */
export async function selectBackends(
  engine: Engine,
  ref: string,
  labels: Record<string, string>,
  explicit: readonly string[] | undefined,
  runId: string,
  signal?: AbortSignal,
): Promise<BackendSelection> {
  if (explicit && explicit.length > 0) return explicitBackends(explicit);
  const label = labels[BACKENDS_LABEL];
  if (label !== undefined && label.trim() !== '') return fromHeld(parseBackendList(label), 'label');
  // imported here: option parsing uses this module, and inspect (tar-stream, dockerode) is slow to load
  const { inspectImage } = await import('../inspect/inspect-image.js');
  const facts = await inspectImage(engine, ref, { signal, runId, payload: true });
  return fromHeld(
    facts.backends.map((b) => b.name),
    'inspect',
  );
}
