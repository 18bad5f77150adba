import { Command } from 'commander';
import { addCommonOptions, type CommonOptions } from './context.js';
import { runAction } from './run-action.js';

export function registerDoctor(program: Command): void {
  const cmd = new Command('doctor').description(
    'Which engine tslim reaches and how, its version and API, builders, GPU runtimes/CDI, registry credentials, and what will not work on it',
  );
  addCommonOptions(cmd);
  cmd.action(
    runAction<CommonOptions>(async (_options, ctx) => {
      // imported here: dockerode is slow to load and `tslim --help` does not need it
      const { resolveEndpoint, dockerConfigDir } = await import('../docker/endpoint.js');
      const { runDoctor } = await import('../doctor/run-doctor.js');
      const endpoint = resolveEndpoint();
      ctx.progress.start(`asking the engine at ${endpoint.host}`);
      const report = await runDoctor({
        engine: await ctx.engine(),
        endpoint,
        configDir: dockerConfigDir(),
        env: process.env,
        signal: ctx.signal,
      });
      ctx.progress.stop();
      if (ctx.json) {
        ctx.outJson({ ok: true, doctor: report });
      } else {
        const { formatDoctor } = await import('../doctor/format.js');
        ctx.out(formatDoctor(report));
      }
    }),
  );
  program.addCommand(cmd);
}
