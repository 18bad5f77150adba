import { Command, Option } from 'commander';
import { usageError } from '../core/errors.js';
import { checkImageArg, parseImageRef } from '../core/image-ref.js';
import { addAuthOptions, loadAuth, type AuthOptions } from './auth-options.js';
import { addCommonOptions, type CommonOptions } from './context.js';
import { runAction } from './run-action.js';
import { TSLIM_VERSION } from './sbom.js';

interface PushCliOptions extends CommonOptions, AuthOptions {
  force?: boolean;
  harbor?: boolean;
  insecure?: boolean;
  retries: string;
  sbom?: boolean;
}

export function registerPush(program: Command): void {
  const cmd = new Command('push')
    .description(
      'Push a local image to a registry and confirm its digest there (refuses to overwrite a tag without --force)',
    )
    .argument('<image>', 'local image (reference or ID)')
    .argument('<ref>', 'target, e.g. harbor.example.com/triton/tritonserver:24.09-slim')
    .option('--force', 'overwrite REF when it already points at another image')
    .option(
      '--harbor',
      'Harbor: check the project (first path part of REF) exists first and find the artifact through its API after',
    )
    .option(
      '--sbom',
      "attach the image's SBOM (CycloneDX 1.6) to the pushed manifest as an OCI 1.1 referrer (docs/push.md)",
    )
    .option('--insecure', 'plain HTTP to the registry (loopback registries always are)')
    .addOption(new Option('--retries <n>', 'tries on transient failures (connection reset, 408/429/5xx)').default('4'));
  addAuthOptions(cmd);
  addCommonOptions(cmd);
  cmd.action(
    runAction<PushCliOptions>(async (options, ctx) => {
      const image = checkImageArg(cmd.args[0] ?? '');
      const ref = cmd.args[1] ?? '';
      const parsed = parseImageRef(ref);
      const attempts = Number(options.retries);
      if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20)
        throw usageError(`--retries must be 1..20, got '${options.retries}'`);
      // imported here, not at the top: dockerode is slow to load and `tslim --help` does not need it
      const { pingEngine } = await import('../docker/engine.js');
      const { pushImage } = await import('../registry/push.js');
      const engine = await ctx.engine();
      await pingEngine(engine, ctx.signal);
      const auth = await loadAuth(parsed.registry, options, ctx);
      let attach;
      if (options.sbom) {
        const { sbomAttachment } = await import('../sbom/attachment.js');
        ctx.progress.start(`reading the SBOM of ${image}`);
        attach = await sbomAttachment(engine, image, {
          toolVersion: TSLIM_VERSION,
          signal: ctx.signal,
          runId: ctx.runId,
          log: ctx.log,
        });
      }
      const result = await pushImage(
        {
          image,
          ref,
          attempts,
          ...(auth ? { auth } : {}),
          force: options.force === true,
          harbor: options.harbor === true,
          insecure: options.insecure === true,
          ...(attach ? { attach } : {}),
        },
        { engine, log: ctx.log, progress: ctx.progress, signal: ctx.signal },
      );
      if (ctx.json) ctx.outJson({ ok: true, push: result });
      else {
        ctx.out(`${result.ref}@${result.digest}\n`);
        if (result.attached) ctx.out(`${result.ref.replace(/:[^:/]+$/, '')}@${result.attached.digest}\n`);
      }
    }),
  );
  program.addCommand(cmd);
}
