import { usageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Progress } from '../core/progress.js';
import type { Engine } from '../docker/engine.js';
import type { ComponentNames } from '../inspect/component-names.js';
import type { FactsCache } from '../inspect/facts-cache.js';
import { archOf, catalogFacts, type PlanFacts } from './plan-facts.js';
import type { SourceImages } from './source-images.js';

export interface FactsOptions {
  /** Connects on first use: an offline run never loads dockerode. */
  engine: () => Promise<Engine>;
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
  /** Shows pulls (per-layer bytes on a TTY); silent when absent. */
  progress?: Progress;
  onSecret?: (secret: string) => void;
  /** Facts read from image files by earlier runs, per image id (inspect/facts-cache.ts). */
  cache?: FactsCache;
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

/**
 * Facts for the plan: from the images when an engine has (or may fetch) them, from the catalog
 * for an offline dry run. A dry run never fails because the engine is down.
 */
export async function resolveFacts(sources: SourceImages, options: FactsOptions): Promise<PlanFacts> {
  if (options.offline) return offlineFacts(sources, options, '--offline');
  // the engine path's modules (dockerode, tar-stream, inspect) load only when it is taken
  const { engineFacts } = await import('./engine-facts.js');
  return engineFacts(sources, options, (why) => offlineFacts(sources, options, why));
}
