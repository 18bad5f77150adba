import { Command, Option } from 'commander';
import { formatFacts } from '../inspect/format.js';
import { checkImageArg, registryHostOf } from '../core/image-ref.js';
import { addCommonOptions, type CommonOptions } from './context.js';
import { runAction } from './run-action.js';
import { applyMirrors, parseRegistryMirror } from '../compose/mirrors.js';
import { loadAuth, addAuthOptions, type AuthOptions } from './auth-options.js';
import type { SizeChoice } from '../inspect/inspect-image.js';

interface InspectCliOptions extends CommonOptions, AuthOptions {
  pull?: boolean;
  registryMirror?: string[];
  payload: boolean;
  sizeMethod: SizeChoice;
}

export function registerInspect(program: Command): void {
  const cmd = new Command('inspect')
    .description('Facts about a Triton image: versions, OS, CUDA/DCGM, backends/repoagents/caches with sizes')
    .argument('<image>', 'image reference, e.g. nvcr.io/nvidia/tritonserver:24.09-py3')
    .option('--pull', 'pull the image when the engine does not have it (nvcr.io: $oauthtoken + NGC_API_KEY)')
    .option(
      '--registry-mirror <registry=mirror>',
      'read REGISTRY images from MIRROR (repeatable), e.g. nvcr.io=harbor.example/proxy-nvcr',
      (v: string, p: string[] = []) => [...p, v],
    )
    .addOption(new Option('--no-payload', 'skip measuring backend/repoagent/cache sizes'))
    .addOption(
      new Option(
        '--size-method <how>',
        "how to read files and sizes: layers = the engine's layer store on this host (no container), " +
          'du = du in a short-lived container, stream = the archive streamed out, auto = layers where readable, else du',
      )
        .choices(['auto', 'layers', 'du', 'stream'])
        .default('auto'),
    );
  addAuthOptions(cmd);
  addCommonOptions(cmd);
  cmd.action(
    runAction<InspectCliOptions>(async (options, ctx) => {
      const requested = checkImageArg(cmd.args[0] ?? '');
      const mirrors = (options.registryMirror ?? []).map(parseRegistryMirror);
      const ref = applyMirrors(requested, mirrors);
      // imported here, not at the top: dockerode and tar-stream are slow to load, and
      // `tslim --help` and the other commands need neither
      const { pingEngine } = await import('../docker/engine.js');
      const { inspectImage } = await import('../inspect/inspect-image.js');
      const { inspectImageRaw } = await import('../docker/images.js');
      const engine = await ctx.engine();
      // the ping decides (no engine: its error, not the inspect's); the image's inspect runs beside it
      const [ping, inspected] = await Promise.allSettled([
        pingEngine(engine, ctx.signal),
        options.pull ? undefined : inspectImageRaw(engine, ref, ctx.signal),
      ]);
      if (ping.status === 'rejected') throw ping.reason;
      const raw = inspected.status === 'fulfilled' ? inspected.value : undefined;
      // --username picks the credentials by hand; otherwise the registry's own (NGC's for nvcr.io).
      // Either way the pull shows per-layer progress and retries a dropped connection.
      if (options.pull) {
        const byHand = options.username !== undefined || options.passwordStdin === true;
        const auth = byHand ? await loadAuth(registryHostOf(ref), options, ctx) : undefined;
        const { imageExists } = await import('../docker/images.js');
        const { pullWithProgress } = await import('../registry/pull.js');
        if (!(await imageExists(engine, ref, ctx.signal)))
          await pullWithProgress(engine, { requested, used: ref }, ctx.progress, {
            signal: ctx.signal,
            purpose: 'inspect',
            onSecret: (s) => ctx.addSecret(s),
            onRetry: ({ delayMs, error }) =>
              ctx.log.warn(`pull of ${requested} broke (${(error as Error).message}); trying again in ${delayMs} ms`),
            ...(byHand ? { credentials: { ...(auth ? { auth } : {}), source: '--username/--password-stdin' } } : {}),
          });
      }
      ctx.progress.start(`inspecting ${ref}`);
      const facts = await inspectImage(engine, ref, {
        signal: ctx.signal,
        payload: options.payload,
        sizeMethod: options.sizeMethod,
        ...(raw ? { raw } : {}),
        runId: ctx.runId,
        log: ctx.log,
        ...(ctx.factsCache ? { cache: ctx.factsCache } : {}),
      });
      ctx.progress.succeed(`inspected ${ref}`);
      if (ctx.json) ctx.outJson({ ok: true, image: facts });
      else ctx.out(formatFacts(facts));
    }),
  );
  program.addCommand(cmd);
}
