import { TslimError, usageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { pingEngine, type Engine } from '../docker/engine.js';
import { imageExists, pullImage } from '../docker/images.js';
import { inspectImage } from '../inspect/inspect-image.js';
import { presentComponents, type ComponentNames } from '../inspect/component-names.js';
import { knownComponents } from '../catalog/index.js';
import { resolveAuth } from '../registry/credentials.js';
import { splitReference } from './mirrors.js';
import { archOf, catalogFacts, imageFacts, type PlanFacts } from './plan-facts.js';
import type { SourceImages } from './source-images.js';

export interface FactsOptions {
  engine: () => Engine;
  log: Logger;
  signal: AbortSignal;
  runId: string;
  gpu: boolean;
  dryRun: boolean;
  offline: boolean;
  skipPull: boolean;
  /** Dry run only: pull images the engine lacks instead of falling back to the catalog. */
  pullForDryRun: boolean;
  /** Names the user asked for: looked up in the image even when the catalog does not know them. */
  requested: ComponentNames;
  onPull?: (ref: string) => void;
}

function offlineFacts(sources: SourceImages, options: FactsOptions, why: string): PlanFacts {
  if (!sources.release) {
    throw usageError(
      `${why}, and without --version tslim has no catalog facts for --image references`,
      'add --version YY.MM so the catalog can stand in for the images',
    );
  }
  options.log.info(`${why}: using the tslim catalog's facts for ${sources.release.container}`);
  return catalogFacts(sources.release, options.gpu, archOf(process.arch));
}

async function pull(engine: Engine, ref: string, options: FactsOptions): Promise<void> {
  const auth = await resolveAuth(splitReference(ref).registry);
  options.onPull?.(ref);
  await pullImage(engine, ref, { ...(auth ? { auth } : {}), signal: options.signal });
}

/**
 * Facts for the plan: from the images when an engine has (or may fetch) them, from the catalog
 * for an offline dry run. A dry run never fails because the engine is down.
 */
export async function resolveFacts(sources: SourceImages, options: FactsOptions): Promise<PlanFacts> {
  if (options.offline) return offlineFacts(sources, options, '--offline');
  const engine = options.engine();
  try {
    await pingEngine(engine, options.signal);
  } catch (error) {
    if (options.dryRun && error instanceof TslimError && error.code === 'ENGINE_UNREACHABLE')
      return offlineFacts(sources, options, 'no Docker engine answers');
    throw error;
  }
  const refs = [sources.used.full, sources.used.min, ...(sources.used.gpuMin ? [sources.used.gpuMin] : [])];
  for (const ref of refs) {
    const present = await imageExists(engine, ref, options.signal);
    if (options.dryRun) {
      if (!present && !options.pullForDryRun)
        return offlineFacts(sources, options, `${ref} is not in the engine (add --pull to fetch it)`);
      if (!present) await pull(engine, ref, options);
    } else if (!options.skipPull) {
      await pull(engine, ref, options);
    } else if (!present) {
      throw new TslimError('IMAGE_NOT_FOUND', `image ${ref} is not in the engine and --skip-pull is set`, {
        hint: 'pull it, or drop --skip-pull',
      });
    }
  }
  const common = { signal: options.signal, payload: false, runId: options.runId } as const;
  const full = await inspectImage(engine, sources.used.full, { ...common, role: 'full' });
  const min = await inspectImage(engine, sources.used.min, { ...common, role: 'base' });
  const known = knownComponents();
  const candidates = {
    backends: [...known.backends, ...options.requested.backends],
    repoagents: [...known.repoagents, ...options.requested.repoagents],
    caches: [...known.caches, ...options.requested.caches],
  };
  const available = await presentComponents(engine, full.id, candidates, options.runId, options.signal);
  return imageFacts(full, min, archOf(min.architecture), available, sources.release);
}
