import { Option, type Command } from 'commander';
import { usageError } from '../core/errors.js';
import type { CliContext } from './context.js';

export interface TrimFlags {
  trim?: true | 'report';
  keep?: string[];
}

export interface TrimChecked {
  mode: 'off' | 'report' | 'apply';
  keep: string[];
  /** Test-only: dlopen-table file names to ignore (TSLIM_TRIM_IGNORE_DLOPEN), to prove an entry matters. */
  ignoreDlopen: string[];
  /** SOURCE_DATE_EPOCH, checked: the trimmed image's `created` (default: the untrimmed image's). */
  sourceDateEpoch?: string;
}

export function addTrimOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--trim [mode]',
        'after the build, drop what the kept backends do not need (ELF closure + dlopen table), verify, keep the untrimmed image as <tag>-untrimmed; --trim=report only prints what would go',
      ).choices(['report']),
    )
    .option(
      '--keep <glob>',
      'with --trim: never drop paths matching GLOB (e.g. /usr/local/cuda/lib64/libcufft*; a name without / matches anywhere; repeatable)',
      (v: string, p: string[] = []) => [...p, v],
    );
}

export function checkTrim(flags: TrimFlags, dryRun: boolean): TrimChecked {
  const mode = flags.trim === undefined ? 'off' : flags.trim === 'report' ? 'report' : 'apply';
  if (mode === 'off' && flags.keep) throw usageError('--keep goes with --trim');
  if (mode !== 'off' && dryRun) throw usageError('--trim needs a build: drop --dry-run');
  for (const glob of flags.keep ?? [])
    if (glob.trim() === '') throw usageError('--keep needs a glob, e.g. --keep "/usr/local/cuda/lib64/libcufft*"');
  const ignoreDlopen = (process.env.TSLIM_TRIM_IGNORE_DLOPEN ?? '').split(',').filter(Boolean);
  const epoch = process.env.SOURCE_DATE_EPOCH || undefined;
  if (mode === 'apply' && epoch !== undefined && !/^\d{1,12}$/.test(epoch))
    throw usageError(
      `SOURCE_DATE_EPOCH=${epoch} is not a number of seconds since 1970`,
      'set it to an integer, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it',
    );
  return { mode, keep: flags.keep ?? [], ignoreDlopen, ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}) };
}

/** Runs the trim analysis (and, unless report-only, writes the trimmed image) on the built image. */
export async function runTrim(image: { id: string; tag: string }, checked: TrimChecked, ctx: CliContext) {
  const { trimImage } = await import('../trim/trim-image.js');
  const { formatTrim } = await import('../trim/trim-report.js');
  ctx.progress.start(`trim ${image.tag}`);
  const outcome = await trimImage(image.tag, {
    engine: await ctx.engine(),
    runId: ctx.runId,
    signal: ctx.signal,
    keep: checked.keep,
    ignoreDlopen: checked.ignoreDlopen,
    reportOnly: checked.mode === 'report',
    sourceDateEpoch: checked.sourceDateEpoch,
    onStep: (t) => {
      ctx.progress.update(t);
      // phase starts go to the log too (a spinner shows nothing without a TTY); byte counts do not
      if (!/^trim: (read \d|layer \d)/.test(t)) ctx.log.info(t);
    },
  });
  ctx.progress.succeed(`trim ${image.tag}`);
  if (!ctx.json) {
    if (checked.mode === 'report') ctx.out(formatTrim(outcome));
    else process.stderr.write(formatTrim(outcome));
  }
  return outcome;
}
