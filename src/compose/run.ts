import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { RUN_LABEL } from '../core/labels.js';
import type { Logger } from '../core/logger.js';
import type { Progress } from '../core/progress.js';
import type { Engine } from '../docker/engine.js';
import type { FactsCache } from '../inspect/facts-cache.js';
import type { ComposeInputs } from './inputs.js';
import { buildPlan, planSummary, type ComposePlan } from './plan.js';
import { renderDockerfile } from './render.js';
import { loadTemplates } from './templates.js';
import { resolveFacts } from './resolve-facts.js';
import { sourceImages } from './source-images.js';

export const DOCKERFILE_NAME = 'Dockerfile.compose';

export interface RunOptions {
  /** Connects on first use: an offline dry run never loads dockerode. */
  engine: () => Promise<Engine>;
  log: Logger;
  progress: Progress;
  signal: AbortSignal;
  runId: string;
  tslimVersion: string;
  dryRun: boolean;
  offline: boolean;
  skipPull: boolean;
  workDir: string | undefined;
  output: string | undefined;
  templateDir: string | undefined;
  /** Gets each registry password a pull uses, so the CLI redacts it. */
  onSecret?: (secret: string) => void;
  /** Facts read from image files by earlier runs (inspect/facts-cache.ts); none: read every time. */
  cache?: FactsCache | undefined;
}

export interface ComposeResult {
  plan: ComposePlan;
  dockerfile: string;
  dockerfilePath: string | undefined;
  image: { id: string; tag: string; builder: 'buildkit' | 'classic' } | undefined;
  /** The build's log (kept after a success too), when one was built and the file could be written. */
  buildLog?: string | undefined;
  timings: Record<string, number>;
}

/** tslim compose: facts -> plan -> Dockerfile -> (unless dry run) build. */
export async function runCompose(inputs: ComposeInputs, options: RunOptions): Promise<ComposeResult> {
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - start);
    }
  };
  const sources = sourceImages(inputs);
  const facts = await timed('facts', () =>
    resolveFacts(sources, {
      engine: options.engine,
      log: options.log,
      signal: options.signal,
      runId: options.runId,
      gpu: inputs.gpu,
      dryRun: options.dryRun,
      offline: options.offline,
      skipPull: options.skipPull,
      pullForDryRun: inputs.pull,
      requested: { backends: inputs.backends, repoagents: inputs.repoagents, caches: inputs.caches },
      progress: options.progress,
      ...(options.onSecret ? { onSecret: options.onSecret } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
    }),
  );
  const plan = buildPlan(inputs, sources, facts, options.tslimVersion);
  const dockerfile = await timed('render', async () =>
    renderDockerfile(plan, await loadTemplates(options.templateDir)),
  );

  let dockerfilePath: string | undefined;
  if (options.output || options.workDir || !options.dryRun) {
    dockerfilePath = resolve(options.output ?? join(options.workDir ?? '.', DOCKERFILE_NAME));
    await writeFileAtomic(dockerfilePath, dockerfile);
  }
  if (options.dryRun) return { plan, dockerfile, dockerfilePath, image: undefined, timings };

  // loaded here, not at the top: the build's modules (tar-stream, dockerode) cost start-up time
  // that a dry run does not need
  const { buildComposed } = await import('./build-composed.js');
  const { log: buildLog, ...image } = await timed('build', async () =>
    buildComposed(plan, dockerfile, {
      engine: await options.engine(),
      log: options.log,
      progress: options.progress,
      signal: options.signal,
      labels: { [RUN_LABEL]: options.runId },
      logPath: resolve(options.workDir ?? '.', `tslim-build-${options.runId}.log`),
      prePulled: !options.skipPull,
    }),
  );
  return { plan, dockerfile, dockerfilePath, image, buildLog, timings };
}

export function resultJson(result: ComposeResult): Record<string, unknown> {
  return {
    ok: true,
    plan: planSummary(result.plan),
    dockerfile: result.dockerfilePath ?? null,
    image: result.image ?? null,
    timings: result.timings,
  };
}
