import type { Command } from 'commander';
import { createLogger, type Logger, type LogLevel } from '../core/logger.js';
import { createProgress, type Progress } from '../core/progress.js';
import { newRunId } from '../core/labels.js';
import { redact } from '../core/redact.js';
import type { Engine } from '../docker/engine.js';
import { openFactsCache, type FactsCache } from '../inspect/facts-cache.js';

/** Options every command takes. */
export interface CommonOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** What a command's function receives: its dependencies, passed in. */
export interface CliContext {
  /** Writes the command's result to stdout (the only writer of stdout). */
  out(text: string): void;
  /** Prints one JSON object as the result. */
  outJson(value: unknown): void;
  log: Logger;
  progress: Progress;
  signal: AbortSignal;
  json: boolean;
  runId: string;
  /** The engine, connected lazily (dry runs may never need it; dockerode loads only then). */
  engine: () => Promise<Engine>;
  /** Registers a secret: it is redacted from every log line and from JSON output from now on. */
  addSecret(secret: string): void;
  /**
   * After a failed or interrupted run: removes the containers this run made that are still there
   * (work running in parallel with the step that failed may not have reached its own cleanup before
   * the process exits). Nothing when the run never connected to an engine; best effort.
   */
  sweep(): Promise<void>;
  /** Facts read from image files, per image id (TSLIM_CACHE_DIR, TSLIM_NO_CACHE; inspect/facts-cache.ts). */
  factsCache: FactsCache | undefined;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print one JSON object on stdout (no spinner)')
    .option('-q, --quiet', 'only errors on stderr')
    .option('-v, --verbose', 'more detail on stderr (build output)');
}

export async function createContext(options: CommonOptions, signal: AbortSignal): Promise<CliContext> {
  // an NGC API key in the environment is redacted everywhere, whether or not a pull uses it
  const secrets: string[] = process.env.NGC_API_KEY ? [process.env.NGC_API_KEY] : [];
  const level: LogLevel = options.quiet ? 'quiet' : options.verbose ? 'verbose' : 'normal';
  const log = createLogger({ level, secrets });
  const progress = await createProgress({ enabled: !options.json && !options.quiet, secrets });
  let engine: Promise<Engine> | undefined;
  const runId = newRunId();
  return {
    out: (text) => {
      process.stdout.write(redact(text, secrets));
    },
    outJson: (value) => {
      process.stdout.write(`${redact(JSON.stringify(value), secrets)}\n`);
    },
    log,
    progress,
    signal,
    json: options.json === true,
    runId,
    engine: () => (engine ??= import('../docker/engine.js').then(({ connectEngine }) => connectEngine())),
    addSecret: (secret) => {
      if (secret) secrets.push(secret);
    },
    factsCache: openFactsCache(process.env),
    sweep: async () => {
      if (!engine) return;
      try {
        const { sweepContainers } = await import('../docker/containers.js');
        await sweepContainers(await engine, runId);
      } catch {
        // best effort: the engine may be the reason the run failed (unreachable, refused the login)
      }
    },
  };
}
