import { Option, type Command } from 'commander';
import { usageError } from '../core/errors.js';
import { parseImageRef } from '../core/image-ref.js';
import type { ReportFormat } from '../report/render.js';
import { parseThresholds, type Thresholds } from '../report/thresholds.js';
import type { VerifyOptions } from '../verify/verify.js';
import type { UserVerifyOptions } from '../verify/user-verify.js';
import { addAuthOptions, type AuthOptions } from './auth-options.js';
import { toVerifyOptions, type VerifyCliOptions } from './verify-options.js';
import { userVerifyOptions } from './verify-user.js';

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
