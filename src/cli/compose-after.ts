import { Option, type Command } from 'commander';
import { TslimError, usageError } from '../core/errors.js';
import { parseImageRef } from '../core/image-ref.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import type { PushResult } from '../registry/push.js';
import type { ReportFormat } from '../report/render.js';
import { checkThresholds, parseThresholds, type Thresholds } from '../report/thresholds.js';
import type { VerifyOptions, VerifyReport } from '../verify/verify.js';
import { addAuthOptions, loadAuth, type AuthOptions } from './auth-options.js';
import type { CliContext } from './context.js';
import type { RegistryMirror } from '../compose/mirrors.js';
import { toVerifyOptions, type VerifyCliOptions } from './verify-options.js';
import { userVerifyOptions } from './verify-user.js';
import { TSLIM_VERSION } from './sbom.js';
import type { UserVerifyOptions, UserVerifyReport } from '../verify/user-verify.js';

/** compose's steps after the build: --verify, then --push (only after a passing verify), then --report. */
export interface AfterBuildFlags extends AuthOptions {
  verify?: boolean;
  gpus: string;
  gpuDriver: 'nvidia' | 'cdi';
  trtBuilder?: string;
  trtPlan?: string;
  soak?: boolean;
  /** --model-repository with --verify: the user's models, A/B against the compose's full image. */
  modelRepository?: string[];
  push?: string;
  force?: boolean;
  harbor?: boolean;
  insecure?: boolean;
  sbom?: boolean;
  report?: string | boolean;
  html?: string;
  maxSize?: string;
  minSaved?: string;
}

export function addAfterBuildOptions(cmd: Command): Command {
  cmd
    .option(
      '--verify',
      'after the build, start the image and check every kept backend (tslim verify); a failure fails compose and blocks --push',
    )
    .addOption(
      new Option('--gpus <spec>', 'with --verify: GPUs for the server (all, none, N, device=ID,...)').default('all'),
    )
    .addOption(
      new Option('--gpu-driver <driver>', 'with --verify: nvidia or cdi').choices(['nvidia', 'cdi']).default('nvidia'),
    )
    .option('--trt-builder <image|path>', 'with --verify: trtexec image or path (default: the full image)')
    .option('--trt-plan <file>', 'with --verify: a TensorRT plan built for the target GPU')
    .option('--soak', 'with --verify: also run the GPU-memory soak')
    .option(
      '--model-repository <dir>',
      'with --verify: also verify YOUR models (repeatable), A/B against the full image',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option('--push <ref>', 'push the built image to REF (after --verify passes, when given)')
    .option('--force', 'with --push: overwrite REF when it points at another image')
    .option('--harbor', 'with --push: check the Harbor project exists first')
    .option('--insecure', 'with --push: plain HTTP to the registry (loopback registries always are)')
    .option('--sbom', "with --push: attach the image's SBOM (CycloneDX 1.6) as an OCI 1.1 referrer")
    .addOption(
      new Option('--report [format]', 'size report full vs slim after the build').choices([
        'table',
        'json',
        'markdown',
      ]),
    )
    .option('--html <file>', 'with --report: also write an HTML report with an SVG chart')
    .option('--max-size <size>', 'with --report: fail (exit 13) when the slim image is larger, e.g. 8GB')
    .option('--min-saved <limit>', 'with --report: fail (exit 13) when less was saved, e.g. 30%');
  return addAuthOptions(cmd);
}

export interface AfterBuildChecked {
  verify?: VerifyOptions;
  userModels?: UserVerifyOptions;
  push?: string;
  report?: { format: ReportFormat; thresholds: Thresholds };
}

/** Checks every after-build option before anything runs, so a typo fails in a second, not after a build. */
export function checkAfterBuild(flags: AfterBuildFlags, dryRun: boolean): AfterBuildChecked {
  const wanted = flags.verify || flags.push !== undefined || flags.report !== undefined;
  if (dryRun && wanted) throw usageError('--verify, --push and --report need a build: drop --dry-run');
  if (flags.modelRepository && !flags.verify) throw usageError('--model-repository goes with --verify');
  if (!flags.report && (flags.html || flags.maxSize || flags.minSaved))
    throw usageError('--html, --max-size and --min-saved go with --report');
  if (flags.push !== undefined) parseImageRef(flags.push);
  if (flags.sbom && flags.push === undefined) throw usageError('--sbom goes with --push');
  const verify = flags.verify
    ? toVerifyOptions({
        gpus: flags.gpus,
        gpuDriver: flags.gpuDriver,
        ...(flags.trtBuilder !== undefined ? { trtBuilder: flags.trtBuilder } : {}),
        ...(flags.trtPlan !== undefined ? { trtPlan: flags.trtPlan } : {}),
        soak: flags.soak === true,
        soakBatches: '16,7',
        soakRounds: '20',
        soakWarmup: '2',
        soakThreshold: '64MiB',
        timeout: '180',
      } satisfies VerifyCliOptions)
    : undefined;
  const format: ReportFormat =
    flags.report === true || flags.report === undefined ? 'table' : (flags.report as ReportFormat);
  return {
    ...(verify ? { verify } : {}),
    ...(flags.push !== undefined ? { push: flags.push } : {}),
    ...(flags.report !== undefined ? { report: { format, thresholds: parseThresholds(flags) } } : {}),
  };
}

/** The user-model part of the checks, async (it reads the repositories): still before the build. */
export async function checkUserModels(flags: AfterBuildFlags, checked: AfterBuildChecked): Promise<AfterBuildChecked> {
  if (!flags.modelRepository || !checked.verify) return checked;
  return {
    ...checked,
    userModels: await userVerifyOptions({ modelRepository: flags.modelRepository }, checked.verify, false),
  };
}

export interface AfterBuildResult {
  verify?: VerifyReport;
  userVerify?: UserVerifyReport;
  push?: PushResult;
  report?: Record<string, unknown>;
  /** Non-zero when a report threshold was missed. */
  exitCode: number;
}

/**
 * Pulls verify's TensorRT builder the way compose pulls its bases: credentials of the requested
 * registry (NGC's for nvcr.io); an unreachable registry's hint names --trt-builder.
 */
export async function pullHook(ctx: CliContext): Promise<(requested: string, used: string) => Promise<void>> {
  const engine = await ctx.engine();
  const { pullWithProgress } = await import('../registry/pull.js');
  return async (requested, used) => {
    await pullWithProgress(engine, { requested, used }, ctx.progress, {
      signal: ctx.signal,
      purpose: 'trt-builder',
      onSecret: (s) => ctx.addSecret(s),
      onRetry: ({ delayMs, error }) =>
        ctx.log.warn(`pull of ${requested} broke (${(error as Error).message}); trying again in ${delayMs} ms`),
    });
  };
}

/** Runs verify → push → report on the built image; a failed verify throws and nothing is pushed. */
export async function afterBuild(
  image: { id: string; tag: string },
  sources: { full: string; min: string },
  checked: AfterBuildChecked,
  flags: AfterBuildFlags,
  ctx: CliContext,
  mirrors: readonly RegistryMirror[] = [],
): Promise<AfterBuildResult> {
  const engine = await ctx.engine();
  const result: AfterBuildResult = { exitCode: 0 };
  // each step's modules are imported when it runs: a dry run or a plain build loads none of them
  if (checked.verify) {
    const { verifyImage } = await import('../verify/verify.js');
    const { formatReport, verifyFailure } = await import('../verify/outcome.js');
    // the default builder is the full image as the build used it (already through the mirrors);
    // a --trt-builder nvcr.io/... is rewritten and pulled the same way
    const options = {
      ...checked.verify,
      trtBuilder: checked.verify.trtBuilder ?? sources.full,
      registryMirrors: [...mirrors],
    };
    result.verify = await verifyImage(image.tag, options, {
      engine,
      log: ctx.log,
      progress: ctx.progress,
      signal: ctx.signal,
      runId: ctx.runId,
      pull: await pullHook(ctx),
    });
    if (!ctx.json) process.stderr.write(formatReport(result.verify));
    const failure = verifyFailure(result.verify);
    if (failure) throw failure;
  }
  if (checked.userModels) {
    const { verifyUserModels } = await import('../verify/user-verify.js');
    const { formatUserReport } = await import('../verify/user-report.js');
    const options = { ...checked.userModels, against: checked.userModels.against ?? sources.full };
    result.userVerify = await verifyUserModels(image.tag, options, {
      engine,
      signal: ctx.signal,
      runId: ctx.runId,
      progress: ctx.progress,
    });
    if (!ctx.json) process.stderr.write(formatUserReport(result.userVerify));
    if (!result.userVerify.ok) {
      const problem = result.userVerify.models.find((m) => !m.ok)?.problem ?? 'your models did not verify';
      throw new TslimError('VERIFY_FAILED', problem, {
        hint: 'keep the backend your models need (--backend), then build again; nothing was pushed',
        details: { userVerify: result.userVerify },
      });
    }
  }
  if (checked.push) {
    const { pushImage } = await import('../registry/push.js');
    const auth = await loadAuth(parseImageRef(checked.push).registry, flags, ctx);
    let attach;
    if (flags.sbom) {
      const { sbomAttachment } = await import('../sbom/attachment.js');
      ctx.progress.start(`reading the SBOM of ${image.id.slice(7, 19)}`);
      attach = await sbomAttachment(engine, image.id, {
        toolVersion: TSLIM_VERSION,
        signal: ctx.signal,
        runId: ctx.runId,
        log: ctx.log,
      });
    }
    result.push = await pushImage(
      {
        image: image.id,
        ref: checked.push,
        ...(auth ? { auth } : {}),
        force: flags.force === true,
        harbor: flags.harbor === true,
        insecure: flags.insecure === true,
        ...(attach ? { attach } : {}),
      },
      { engine, log: ctx.log, progress: ctx.progress, signal: ctx.signal },
    );
  }
  if (checked.report) {
    const { buildReport } = await import('../report/build-report.js');
    const { compressedSizeOf } = await import('../registry/compressed-size.js');
    const { formatJson } = await import('../report/format-json.js');
    const { renderReport } = await import('../report/render.js');
    ctx.progress.start(`report ${image.tag}`);
    const pushed = result.push;
    const report = await buildReport(
      {
        full: sources.full,
        slim: image.tag,
        min: sources.min,
        ...(pushed?.compressedBytes !== undefined ? { compressed: { slim: pushed.compressedBytes } } : {}),
      },
      {
        engine,
        signal: ctx.signal,
        runId: ctx.runId,
        cache: ctx.factsCache,
        onStep: (t) => ctx.progress.update(t),
        compressedSize: (ref: string) => compressedSizeOf(ref, { signal: ctx.signal, log: ctx.log }),
      },
    );
    ctx.progress.succeed(`report ${image.tag}`);
    const thresholds = checkThresholds(report, checked.report.thresholds);
    if (flags.html) await writeFileAtomic(flags.html, renderReport(report, 'html', thresholds));
    result.report = formatJson(report, thresholds);
    if (!ctx.json) ctx.out(renderReport(report, checked.report.format, thresholds));
    const missed = thresholds.filter((t) => !t.ok);
    for (const t of missed) ctx.log.warn(`threshold ${t.name} missed: ${t.actual} (limit ${t.limit})`);
    if (missed.length > 0) result.exitCode = 13;
  }
  return result;
}
