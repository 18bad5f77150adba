import { Command, Option } from 'commander';
import { formatFacts } from '../inspect/format.js';
import { checkImageArg, registryHostOf } from '../core/image-ref.js';
import { addCommonOptions, type CommonOptions } from './context.js';
import { runAction } from './run-action.js';
import { loadAuth, addAuthOptions, type AuthOptions } from './auth-options.js';

interface InspectCliOptions extends CommonOptions, AuthOptions {
  pull?: boolean;
  payload: boolean;
}

export function registerInspect(program: Command): void {
  const cmd = new Command('inspect')
    .description('Facts about a Triton image: versions, OS, CUDA/DCGM, backends/repoagents/caches with sizes')
    .argument('<image>', 'image reference, e.g. nvcr.io/nvidia/tritonserver:24.09-py3')
    .option('--pull', 'pull the image when the engine does not have it')
    .addOption(new Option('--no-payload', 'skip measuring backend/repoagent/cache sizes'));
  addAuthOptions(cmd);
  addCommonOptions(cmd);
  cmd.action(
    runAction<InspectCliOptions>(async (options, ctx) => {
      const ref = checkImageArg(cmd.args[0] ?? '');
      // imported here, not at the top: dockerode and tar-stream are slow to load, and
      // `tslim --help` and the other commands need neither
      const { pingEngine } = await import('../docker/engine.js');
      const { inspectImage } = await import('../inspect/inspect-image.js');
      const engine = await ctx.engine();
      await pingEngine(engine, ctx.signal);
      const auth = options.pull ? await loadAuth(registryHostOf(ref), options, ctx) : undefined;
      ctx.progress.start(`inspecting ${ref}`);
      const facts = await inspectImage(engine, ref, {
        signal: ctx.signal,
        payload: options.payload,
        pull: options.pull ? 'missing' : 'never',
        runId: ctx.runId,
        log: ctx.log,
        ...(auth ? { auth } : {}),
        onPullEvent: (e) => ctx.progress.update(`pulling ${ref}: ${e.status ?? ''} ${e.progress ?? ''}`),
      });
      ctx.progress.succeed(`inspected ${ref}`);
      if (ctx.json) ctx.outJson({ ok: true, image: facts });
      else ctx.out(formatFacts(facts));
    }),
  );
  program.addCommand(cmd);
}
