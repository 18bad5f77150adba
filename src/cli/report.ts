import { Command, Option } from 'commander';
import { writeFileAtomic } from '../core/atomic-write.js';
import { checkImageArg } from '../core/image-ref.js';
import { checkThresholds, parseThresholds } from '../report/thresholds.js';
import { ERROR_CODES } from '../core/errors.js';
import { addCommonOptions, type CommonOptions } from './context.js';
import { runAction } from './run-action.js';

interface ReportCliOptions extends CommonOptions {
  min?: string;
  markdown?: boolean;
  html?: string;
  maxSize?: string;
  minSaved?: string;
  registry: boolean;
  packages: boolean;
  insecure?: boolean;
}

export function registerReport(program: Command): void {
  const cmd = new Command('report')
    .description(
      'Compare a full and a slim image: sizes, bytes saved, shared layers, kept and dropped backends, packages removed and added',
    )
    .argument('<full>', 'the full image, e.g. nvcr.io/nvidia/tritonserver:24.09-py3')
    .argument('<slim>', 'the slim image')
    .option(
      '--min <image>',
      'the min image the slim one was built on (default: its dev.tslim.source.min label) for the ideal size',
    )
    .addOption(new Option('--markdown', 'print Markdown (for a PR or MR comment)').conflicts('json'))
    .option('--html <file>', 'also write an HTML page with an SVG bar chart to FILE')
    .option('--max-size <size>', 'exit 13 when the slim image is larger, e.g. 8GB')
    .option('--min-saved <limit>', 'exit 13 when less was saved, e.g. 30% or 2GB')
    .option('--no-registry', 'do not ask registries for compressed sizes')
    .option('--no-packages', "skip the package diff (it reads both images' SBOMs; docs/sbom.md)")
    .option('--insecure', 'plain HTTP to registries (loopback registries always are)');
  addCommonOptions(cmd);
  cmd.action(
    runAction<ReportCliOptions>(async (options, ctx) => {
      const full = checkImageArg(cmd.args[0] ?? '');
      const slim = checkImageArg(cmd.args[1] ?? '');
      const limits = parseThresholds(options);
      if (options.min) checkImageArg(options.min);
      // imported here, not at the top: dockerode and tar-stream are slow to load, and
      // `tslim --help` and the other commands need neither
      const { pingEngine } = await import('../docker/engine.js');
      const { buildReport } = await import('../report/build-report.js');
      const { compressedSizeOf } = await import('../registry/compressed-size.js');
      const { formatJson } = await import('../report/format-json.js');
      const { renderReport } = await import('../report/render.js');
      const engine = await ctx.engine();
      await pingEngine(engine, ctx.signal);
      ctx.progress.start(`report ${slim}`);
      const report = await buildReport(
        { full, slim, ...(options.min ? { min: options.min } : {}), packages: options.packages },
        {
          engine,
          signal: ctx.signal,
          runId: ctx.runId,
          cache: ctx.factsCache,
          onStep: (text) => ctx.progress.update(text),
          ...(options.registry
            ? {
                compressedSize: (ref: string) =>
                  compressedSizeOf(ref, {
                    signal: ctx.signal,
                    log: ctx.log,
                    ...(options.insecure ? { insecure: true } : {}),
                  }),
              }
            : {}),
        },
      );
      ctx.progress.succeed(`report ${slim}`);
      const thresholds = checkThresholds(report, limits);
      if (options.html) {
        await writeFileAtomic(options.html, renderReport(report, 'html', thresholds));
        ctx.log.info(`wrote ${options.html}`);
      }
      if (ctx.json) ctx.outJson(formatJson(report, thresholds));
      else ctx.out(renderReport(report, options.markdown ? 'markdown' : 'table', thresholds));
      const failed = thresholds.filter((t) => !t.ok);
      for (const t of failed) ctx.log.warn(`threshold ${t.name} missed: ${t.actual} (limit ${t.limit})`);
      return failed.length > 0 ? ERROR_CODES.THRESHOLD : 0;
    }),
  );
  program.addCommand(cmd);
}
