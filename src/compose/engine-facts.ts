import { TslimError } from '../core/errors.js';
import { pingEngine, type Engine } from '../docker/engine.js';
import { inspectImageRaw, type RawImage } from '../docker/images.js';
import { silentProgress } from '../core/progress.js';
import { inspectImage } from '../inspect/inspect-image.js';
import { presentComponents } from '../inspect/component-names.js';
import { knownComponents } from '../catalog/index.js';
import { pullWithProgress } from '../registry/pull.js';
import { archOf, imageFacts, type PlanFacts } from './plan-facts.js';
import type { FactsOptions } from './facts-options.js';
import type { SourceImages } from './source-images.js';

/** `used` is the reference after --registry-mirror; `requested` picks the credentials (NGC's for nvcr.io). */
async function pull(engine: Engine, requested: string, used: string, options: FactsOptions): Promise<void> {
  await pullWithProgress(engine, { requested, used }, options.progress ?? silentProgress, {
    signal: options.signal,
    ...(options.onSecret ? { onSecret: options.onSecret } : {}),
    onRetry: ({ delayMs, error }) =>
      options.log.warn(`pull of ${requested} broke (${(error as Error).message}); trying again in ${delayMs} ms`),
  });
}

/**
 * Facts from the images in the engine (resolveFacts' engine path, a module of its own so that an
 * offline run does not load dockerode). A dry run falls back to `offline(why)`, the catalog.
 */
export async function engineFacts(
  sources: SourceImages,
  options: FactsOptions,
  offline: (why: string) => PlanFacts,
): Promise<PlanFacts> {
  const engine = await options.engine();
  const refs = [sources.used.full, sources.used.min, ...(sources.used.gpuMin ? [sources.used.gpuMin] : [])];
  const requested = [
    sources.requested.full,
    sources.requested.min,
    ...(sources.requested.gpuMin ? [sources.requested.gpuMin] : []),
  ];
  // independent engine calls run together (issue 13: a dry run at most half of compose.py's time):
  // the ping with the presence checks, then the two inspects and the component listing. The ping
  // decides: when no engine answers, the inspects' failures are that same fact.
  const [ping, inspected] = await Promise.allSettled([
    pingEngine(engine, options.signal),
    Promise.all(refs.map((ref) => inspectImageRaw(engine, ref, options.signal))),
  ]);
  if (ping.status === 'rejected') {
    const error: unknown = ping.reason;
    if (options.dryRun && error instanceof TslimError && error.code === 'ENGINE_UNREACHABLE')
      return offline('no Docker engine answers');
    throw error;
  }
  if (inspected.status === 'rejected') throw inspected.reason;
  // an inspect made before a pull is stale: a pulled image is inspected again
  const raws: (RawImage | undefined)[] = [...inspected.value];
  for (const [i, ref] of refs.entries()) {
    const present = raws[i] !== undefined;
    if (options.dryRun) {
      if (!present && !options.pullForDryRun) return offline(`${ref} is not in the engine (add --pull to fetch it)`);
      if (!present) {
        await pull(engine, requested[i] ?? ref, ref, options);
        raws[i] = await inspectImageRaw(engine, ref, options.signal);
      }
    } else if (!options.skipPull) {
      await pull(engine, requested[i] ?? ref, ref, options);
      raws[i] = await inspectImageRaw(engine, ref, options.signal);
    } else if (!present) {
      throw new TslimError('IMAGE_NOT_FOUND', `image ${ref} is not in the engine and --skip-pull is set`, {
        hint: 'pull it, or drop --skip-pull',
      });
    }
  }
  const cache = options.cache;
  const common = {
    signal: options.signal,
    payload: false,
    runId: options.runId,
    log: options.log,
    ...(cache ? { cache } : {}),
  };
  const fullId = raws[0]?.Id;
  const known = knownComponents();
  const candidates = {
    backends: [...known.backends, ...options.requested.backends],
    repoagents: [...known.repoagents, ...options.requested.repoagents],
    caches: [...known.caches, ...options.requested.caches],
  };
  const [full, min, available] = await Promise.all([
    inspectImage(engine, sources.used.full, { ...common, role: 'full', ...(raws[0] ? { raw: raws[0] } : {}) }),
    inspectImage(engine, sources.used.min, { ...common, role: 'base', ...(raws[1] ? { raw: raws[1] } : {}) }),
    presentComponents(
      engine,
      sources.used.full,
      candidates,
      options.runId,
      options.signal,
      cache && fullId ? { cache, imageId: fullId } : undefined,
      raws[0],
    ),
  ]);
  return imageFacts(full, min, archOf(min.architecture), available, sources.release);
}
