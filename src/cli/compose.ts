import { type Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { Profile } from '../compose/profiles.js';
import { usageError } from '../core/errors.js';
import { addCommonOptions, type CliContext, type CommonOptions } from './context.js';
import { collect, toInputs, type ComposeFlags } from './compose-options.js';
import { registerProfiles } from './profiles.js';
import { afterBuild } from './compose-after.js';
import {
  addAfterBuildOptions,
  checkAfterBuild,
  checkUserModels,
  type AfterBuildFlags,
} from './compose-after-options.js';
import { runAction } from './run-action.js';
import { addTrimOptions, checkTrim, runTrim, type TrimFlags } from './compose-trim.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

interface Options extends ComposeFlags, CommonOptions, AfterBuildFlags, TrimFlags {
  profile?: string;
  skipPull?: boolean;
  dryRun?: boolean;
  offline?: boolean;
  workDir?: string;
  output?: string;
  templateDir?: string;
}

async function composeAction(options: Options, ctx: CliContext): Promise<number> {
  // domain modules are imported in the action, not at the top: `tslim --help` and the other
  // commands need none of them, and yaml loads only for --profile
  let profile: Profile | undefined;
  if (options.profile) {
    const { loadProfile } = await import('../compose/profiles.js');
    profile = await loadProfile(options.profile);
  }
  const inputs = toInputs(options, profile);
  if (inputs.builder === 'buildkit' && inputs.pull && options.skipPull) {
    throw usageError(
      "--builder buildkit cannot pull during the build (--pull) when --skip-pull skips tslim's own pull",
      'drop --skip-pull (tslim then pulls the images with your credentials before the build), or use --builder classic',
    );
  }
  const { http, https, no } = inputs.proxy;
  for (const secret of [http, https, no]) if (secret) ctx.addSecret(secret);
  const trim = checkTrim(options, options.dryRun === true);
  // A trimmed image is only handed over once it verified: --trim implies --verify.
  if (trim.mode === 'apply') options.verify = true;
  const after = await checkUserModels(options, checkAfterBuild(options, options.dryRun === true));
  const { resultJson, runCompose } = await import('../compose/run.js');
  const result = await runCompose(inputs, {
    engine: ctx.engine,
    log: ctx.log,
    progress: ctx.progress,
    signal: ctx.signal,
    runId: ctx.runId,
    tslimVersion: pkg.version,
    dryRun: options.dryRun === true,
    offline: options.offline === true,
    skipPull: options.skipPull === true,
    workDir: options.workDir,
    output: options.output,
    templateDir: options.templateDir,
    onSecret: (secret) => ctx.addSecret(secret),
    cache: ctx.factsCache,
  });
  let image = result.image;
  let trimmed: Record<string, unknown> | undefined;
  let steps: Awaited<ReturnType<typeof afterBuild>> | undefined;
  if (image && trim.mode !== 'off') {
    const outcome = await runTrim(image, trim, ctx);
    const { trimJson } = await import('../trim/trim-report.js');
    trimmed = trimJson(outcome);
    if (outcome.trimmed) {
      const { adoptTrimmed, discardTrimmed } = await import('../trim/adopt.js');
      const engine = await ctx.engine();
      const candidate = { id: outcome.trimmed.id, tag: outcome.trimmed.id };
      try {
        steps = await afterBuild(candidate, result.plan.images, after, options, ctx, inputs.registryMirrors);
      } catch (error) {
        // an image an earlier run made (same source and plan, same id) is not this run's to remove
        if (!outcome.trimmed.existed) await discardTrimmed(engine, outcome.trimmed.id);
        ctx.log.warn(`the trimmed image failed; ${image.tag} (untrimmed) is kept`);
        throw error;
      }
      const kept = await adoptTrimmed(engine, image.tag, image.id, outcome.trimmed.id);
      ctx.log.info(`trimmed image is ${image.tag}; the untrimmed one is ${kept}`);
      trimmed = { ...trimmed, untrimmedTag: kept };
      image = { ...image, id: outcome.trimmed.id };
    }
  }
  steps ??= image
    ? await afterBuild(image, result.plan.images, after, options, ctx, inputs.registryMirrors)
    : undefined;
  if (ctx.json) {
    const { exitCode: _code, ...rest } = steps ?? {};
    ctx.outJson({ ...resultJson({ ...result, image }), ...rest, ...(trimmed ? { trim: trimmed } : {}) });
    return steps?.exitCode ?? 0;
  }
  if (options.dryRun && !result.dockerfilePath) ctx.out(result.dockerfile);
  // a person at a terminal gets where things went and what to run next (below); scripts get stdout alone
  const summary = image !== undefined && process.stderr.isTTY && (steps?.exitCode ?? 0) === 0;
  if (result.dockerfilePath && !summary) ctx.log.info(`wrote ${result.dockerfilePath}`);
  if (image && !after.report && trim.mode !== 'report') ctx.out(`${image.tag} ${image.id}\n`);
  if (steps?.push) ctx.log.info(`pushed ${steps.push.ref}@${steps.push.digest}`);
  if (image && summary) {
    const { nextSteps } = await import('./compose-next.js');
    const lines = nextSteps({
      tag: image.tag,
      full: result.plan.images.full,
      gpu: result.plan.gpu,
      dockerfile: result.dockerfilePath,
      buildLog: result.buildLog,
      verified: after.verify !== undefined,
      pushed: steps?.push !== undefined,
      reported: after.report !== undefined,
    });
    for (const line of lines) ctx.log.info(line);
  }
  return steps?.exitCode ?? 0;
}

/** Registers `tslim compose` and its companion `tslim profiles`. */
export function registerCompose(program: Command): void {
  registerProfiles(program);
  const cmd = program
    .command('compose')
    .description(
      "Compose a slim Triton image from the full image's backends onto the -min base (compose.py's flags work).",
    )
    .option('--backend <name>', 'include a backend (repeatable)', collect)
    .option('--repoagent <name>', 'include a repository agent (repeatable)', collect)
    .option('--cache <name>', 'include a cache implementation (repeatable)')
    .option('--version <YY.MM>', 'container release, e.g. 24.09')
    .option('--container-version <YY.MM>', 'alias of --version (compose.py)')
    .option(
      '--image <role=REF>',
      'use REF as the full, min or gpu-min image (full,REF also works; repeatable)',
      collect,
    )
    .option('--profile <name|file>', 'start from a profile: a name in profiles/ or a .yaml/.json path')
    .option('--skip-pull', 'do not pull the images; they must be in the engine')
    .option('--dry-run', 'only write (or print) the Dockerfile; never fails because the engine is down')
    .option('--offline', 'use the catalog instead of inspecting images (implies no engine calls for facts)')
    .option('--work-dir <dir>', 'where Dockerfile.compose (and a failed build log) go; default: current directory')
    .option('--output <file>', 'write the Dockerfile here')
    .option('--output-name <name>', 'tag of the built image', 'tritonserver')
    .option('--template-dir <dir>', 'directory whose Dockerfile.template / *.hbs replace the shipped ones')
    .addOption(new Option('--enable-gpu [bool]', 'GPU build (default true; compose.py flag)'))
    .addOption(
      new Option('--cpu-only', 'CPU-only build (-cpu-only-py3 full image on plain Ubuntu)').conflicts('enableGpu'),
    )
    .option(
      '--registry-mirror <registry=mirror>',
      'rewrite base image references, e.g. nvcr.io=harbor.example/proxy-nvcr (repeatable)',
      collect,
    )
    .option('--apt-mirror <url>', 'use this Ubuntu archive mirror inside the build')
    .option('--pip-index-url <url>', 'pip index for the pip installs of the recipe')
    .option('--pip-trusted-host <host>', 'pip --trusted-host for that index')
    .option('--cuda-repo <url>', 'flat apt repository with DCGM (instead of NVIDIA cuda-keyring)')
    .option('--cuda-repo-key <url>', 'signing key for --cuda-repo (without it the repo is [trusted=yes])')
    .option('--dcgm-version <version>', "DCGM version to install (default: the full image's DCGM_VERSION)")
    .option('--no-dcgm', 'do not install DCGM')
    .option('--http-proxy <url>', 'HTTP_PROXY for the build only (never in the image)')
    .option('--https-proxy <url>', 'HTTPS_PROXY for the build only (never in the image)')
    .option('--no-proxy <hosts>', 'NO_PROXY for the build only')
    .option('--build-arg <name=value>', 'extra build argument (repeatable)', collect)
    .option(
      '--server-arg <key=value>',
      "a Triton runtime setting for the image's default command, over the profile's server: section (repeatable)",
      collect,
    )
    .addOption(new Option('--network <mode>', 'network for RUN steps').choices(['host', 'default']).default('host'))
    .addOption(
      new Option(
        '--builder <kind>',
        "the engine's BuildKit, its classic builder, or auto: BuildKit when the engine offers it (default: auto)",
      ).choices(['auto', 'buildkit', 'classic']),
    )
    .option('--no-cache', 'build without the layer cache')
    .option('--pull', 'pull newer base images during the build; in a dry run, fetch images the engine lacks');
  // --cache NAME (compose.py) and --no-cache (docker build) share commander's attribute `cache`;
  // these listeners run after commander's own and keep the two apart.
  cmd.on('option:cache', (value: string) =>
    cmd.setOptionValue('cacheNames', [...((cmd.getOptionValue('cacheNames') as string[] | undefined) ?? []), value]),
  );
  cmd.on('option:no-cache', () => cmd.setOptionValue('noBuildCache', true));
  addAfterBuildOptions(cmd);
  addTrimOptions(cmd);
  addCommonOptions(cmd).action(runAction<Options>(composeAction));
}
