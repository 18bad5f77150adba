import { type Command, Option } from 'commander';
import { TslimError, usageError } from '../core/errors.js';
import { checkImageArg } from '../core/image-ref.js';
import { DEFAULT_AB_TOLERANCE } from '../verify/ab-compare.js';
import { parseShape, readInputsFile, type InputsFile } from '../verify/user-inputs.js';
import { formatUserMarkdown, formatUserReport } from '../verify/user-report.js';
import { scanRepositories, selectModels } from '../verify/user-repository.js';
import type { UserVerifyOptions, UserVerifyReport } from '../verify/user-verify.js';
import type { CliContext } from './context.js';
import type { VerifyOptions } from '../verify/verify.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export interface UserVerifyFlags {
  modelRepository?: string[];
  against?: string;
  inputs?: string;
  model?: string[];
  shape?: string[];
  rtol?: string;
  atol?: string;
  markdown?: boolean;
}

export function addUserModelOptions(cmd: Command): void {
  cmd
    .option('--model-repository <dir>', 'verify YOUR models: a Triton model repository, repeatable', collect)
    .option('--against <image>', 'with --model-repository: also run the full image and compare every output (A/B)')
    .option(
      '--inputs <file>',
      'JSON {model: KServe v2 request | [requests]} replacing the generated requests of the models it names',
    )
    .option('--model <name>', 'only this model (and what it calls), repeatable', collect)
    .option(
      '--shape <[model/]input=dims>',
      'dims (without the batch dim) for an input with variable (-1) dims, repeatable',
      collect,
    )
    .addOption(new Option('--rtol <x>', 'A/B relative tolerance for floats').default(String(DEFAULT_AB_TOLERANCE.rtol)))
    .addOption(new Option('--atol <x>', 'A/B absolute tolerance for floats').default(String(DEFAULT_AB_TOLERANCE.atol)))
    .option('--markdown', 'print the report as Markdown (for a merge-request comment)');
}

function tolerance(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw usageError(`${name} must be a number >= 0, got '${text}'`);
  return n;
}

/** Every check of the user-model flags, before the engine is asked anything. */
export async function userVerifyOptions(
  flags: UserVerifyFlags,
  base: VerifyOptions,
  hasSampleFlags: boolean,
): Promise<UserVerifyOptions> {
  if (hasSampleFlags)
    throw usageError(
      '--backend, --trt-plan, --trt-builder, --url and --write-repository are for the sample models; drop them with --model-repository',
    );
  const all = await scanRepositories(flags.modelRepository ?? []);
  const models = selectModels(all, flags.model ?? []);
  const inputs =
    flags.inputs !== undefined
      ? await readInputsFile(
          flags.inputs,
          all.map((m) => m.name),
        )
      : (new Map() as InputsFile);
  const shapes = (flags.shape ?? []).map(parseShape);
  for (const s of shapes) {
    if (s.model !== undefined && !all.some((m) => m.name === s.model))
      throw usageError(`--shape ${s.text}: no model '${s.model}' in the repository`);
  }
  return {
    repositories: [...new Set(all.map((m) => m.repository))],
    models,
    all,
    inputs,
    shapes,
    gpus: base.gpus,
    gpuDriver: base.gpuDriver,
    ...(base.shmSizeBytes !== undefined ? { shmSizeBytes: base.shmSizeBytes } : {}),
    ...(base.env ? { env: base.env } : {}),
    timeoutMs: base.timeoutMs,
    ...(flags.against !== undefined ? { against: checkImageArg(flags.against) } : {}),
    tolerance: { rtol: tolerance('--rtol', flags.rtol ?? '0'), atol: tolerance('--atol', flags.atol ?? '0') },
    ...(base.soak ? { soak: base.soak } : {}),
  };
}

export async function runUserVerify(
  image: string,
  options: UserVerifyOptions,
  markdown: boolean,
  ctx: CliContext,
): Promise<number> {
  // imported here: the engine and the runner load dockerode, which option checks do not need
  const { pingEngine } = await import('../docker/engine.js');
  const { verifyUserModels } = await import('../verify/user-verify.js');
  const engine = await ctx.engine();
  await pingEngine(engine, ctx.signal);
  const report = await verifyUserModels(image, options, {
    engine,
    signal: ctx.signal,
    runId: ctx.runId,
    progress: ctx.progress,
  });
  return emitUserReport(report, markdown, ctx);
}

export function emitUserReport(report: UserVerifyReport, markdown: boolean, ctx: CliContext): number {
  const failure = report.ok
    ? undefined
    : new TslimError('VERIFY_FAILED', report.models.find((m) => !m.ok)?.problem ?? `${report.image} did not verify`, {
        hint: report.against
          ? 'keep the backend your model needs (compose --backend), or compare the outputs above'
          : 'see the reasons above',
      });
  if (report.serverLogTail && !ctx.json) ctx.log.info(`server log (last lines):\n${report.serverLogTail.trimEnd()}`);
  if (ctx.json) ctx.outJson({ ok: report.ok, verify: report, ...(failure ? { error: failure.toJSON() } : {}) });
  else ctx.out(markdown ? formatUserMarkdown(report) : formatUserReport(report));
  if (!failure) return 0;
  process.stderr.write(`error: ${failure.message}\n${failure.hint ? `hint: ${failure.hint}\n` : ''}`);
  return failure.exitCode;
}
