import { usageError } from '../core/errors.js';
import type { FactsOptions } from './facts-options.js';
import { archOf, catalogFacts, type PlanFacts } from './plan-facts.js';
import type { SourceImages } from './source-images.js';

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
