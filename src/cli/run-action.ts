import type { Command } from 'commander';
import { toTslimError, TslimError } from '../core/errors.js';
import { createContext, type CliContext, type CommonOptions } from './context.js';
import { redact } from '../core/redact.js';

export type CommandFn<O> = (options: O, ctx: CliContext) => Promise<number | void>;

/** The one AbortController of the run; SIGINT/SIGTERM abort it. */
const controller = new AbortController();
let interrupted = 0;
const onSignal = (): void => {
  interrupted += 1;
  if (interrupted > 1) process.exit(130);
  process.stderr.write('\ninterrupted: cleaning up (Ctrl-C again to force)\n');
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A reader that goes away (`tslim … 2>&1 | head`) makes the next write fail with EPIPE; unhandled,
// that error would end the process before its cleanup (containers it made would stay). The run
// stops as on a signal instead, and cleans up; what it still writes goes nowhere.
const onStreamError = (error: NodeJS.ErrnoException): void => {
  if (error.code !== 'EPIPE') throw error;
  if (!controller.signal.aborted) controller.abort();
};
process.stdout.on('error', onStreamError);
process.stderr.on('error', onStreamError);

/** Result of a command: its exit code. main.ts is the only place that exits. */
export let exitCode = 0;

/**
 * Wraps a command function: builds its context, turns any failure into a TslimError printed on
 * stderr (or as JSON on stdout with --json) and records the exit code.
 */
export function runAction<O extends CommonOptions>(fn: CommandFn<O>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.optsWithGlobals<O>();
    const ctx = await createContext(options, controller.signal);
    try {
      const code = await fn(options, ctx);
      exitCode = typeof code === 'number' ? code : 0;
    } catch (thrown) {
      ctx.progress.stop();
      const error = controller.signal.aborted
        ? new TslimError('ABORTED', 'interrupted', { cause: thrown })
        : toTslimError(thrown);
      reportError(error, ctx, options);
      exitCode = error.exitCode;
      await ctx.sweep();
    }
  };
}

function reportError(error: TslimError, ctx: CliContext, options: CommonOptions): void {
  if (options.json) ctx.outJson({ ok: false, error: error.toJSON() });
  const lines = [`error: ${error.message}`];
  if (error.hint) lines.push(`hint: ${error.hint}`);
  if (options.verbose && error.code === 'INTERNAL' && error.cause instanceof Error && error.cause.stack) {
    lines.push(error.cause.stack);
  }
  process.stderr.write(`${redact(lines.join('\n'), [])}\n`);
}
