import { TslimError } from '../core/errors.js';
import { parseImageRef } from '../core/image-ref.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import type { PushResult } from '../registry/push.js';
import { checkThresholds } from '../report/thresholds.js';
import type { VerifyReport } from '../verify/verify.js';
import { loadAuth } from './auth-options.js';
import type { CliContext } from './context.js';
import type { RegistryMirror } from '../compose/mirrors.js';
import { TSLIM_VERSION } from './sbom.js';
import type { UserVerifyReport } from '../verify/user-verify.js';
import type { AfterBuildChecked, AfterBuildFlags } from './compose-after-options.js';

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
