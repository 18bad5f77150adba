import type { Logger } from '../core/logger.js';
import type { Progress } from '../core/progress.js';
import type { Engine } from '../docker/engine.js';
import type { ComponentNames } from '../inspect/component-names.js';
import type { FactsCache } from '../inspect/facts-cache.js';

/** What resolveFacts and its engine path (engine-facts.ts) are given: one module both import. */
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
