import { Command, Option } from 'commander';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import { checkImageArg } from '../core/image-ref.js';
import { parseBackendList, explicitBackends } from '../verify/backends.js';
import { gpusRequested } from '../verify/gpu-request.js';
import { formatReport, soakChart, verifyFailure } from '../verify/outcome.js';
import { SAMPLE_BACKENDS } from '../verify/sample-backends.js';
import { DEFAULT_SOAK } from '../verify/soak.js';
import type { VerifyOptions, VerifyReport } from '../verify/verify.js';
import { addCommonOptions, type CliContext } from './context.js';
import { runAction } from './run-action.js';
import { addUserModelOptions, runUserVerify, userVerifyOptions } from './verify-user.js';
import { toVerifyOptions, type VerifyCliOptions } from './verify-options.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, ...parseBackendList(value)];
const collectEnv = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerVerify(program: Command): void {
  const cmd = new Command('verify')
    .description(
      "Start an image with tslim's sample models and check that every kept backend loads and infers correctly",
    )
    .argument('[image]', 'the image to verify (omit with --url or --write-repository)')
    .option(
      '--backend <name>',
      `backend to check, repeatable or comma-separated (${SAMPLE_BACKENDS.join(', ')}); default: the image's dev.tslim.backends label, else its /opt/tritonserver/backends`,
      collect,
    )
    .addOption(new Option('--gpus <spec>', 'GPUs for the server: all, none, N, device=ID[,ID]').default('all'))
    .addOption(
      new Option('--gpu-driver <driver>', 'nvidia (Container Toolkit) or cdi (nvidia.com/gpu=... CDI names)')
        .choices(['nvidia', 'cdi'])
        .default('nvidia'),
    )
    .addOption(
      new Option('--url <url>', 'check a server that is already running (no container)').conflicts([
        'trtBuilder',
        'trtPlan',
        'writeRepository',
      ]),
    )
    .option('--metrics-url <url>', 'with --url: its metrics endpoint (default: same host, port 8002)')
    .option(
      '--trt-builder <image|path>',
      'image with /usr/src/tensorrt/bin/trtexec (the full image of the same release), or a trtexec path',
    )
    .option(
      '--registry-mirror <registry=mirror>',
      'read REGISTRY images (the --trt-builder image) from MIRROR, repeatable, e.g. nvcr.io=harbor.example/proxy-nvcr',
      collectEnv,
    )
    .option('--trt-plan <file>', 'a TensorRT plan built for the target GPU, instead of building one')
    .option('--pytorch-disable-optimized-execution', 'set DISABLE_OPTIMIZED_EXECUTION on the pytorch sample')
    .option('--soak', 'after the checks, send batch sequences and watch GPU memory for growth')
    .addOption(new Option('--soak-batches <list>', 'batch sizes per round').default(DEFAULT_SOAK.batches.join(',')))
    .addOption(new Option('--soak-rounds <n>', 'rounds of the batch sequence').default(String(DEFAULT_SOAK.rounds)))
    .addOption(
      new Option('--soak-warmup <n>', 'rounds allowed to grow before the check').default(
        String(DEFAULT_SOAK.warmupRounds),
      ),
    )
    .addOption(new Option('--soak-threshold <size>', 'growth after warm-up that fails the soak').default('64MiB'))
    .addOption(
      new Option('--timeout <seconds>', 'how long the server may take to start and load the models').default('180'),
    )
    .option(
      '--shm-size <size>',
      "force the server container's /dev/shm (default: the image's shm-size setting or 64MiB + 65MiB per python instance, whichever is larger)",
    )
    .option('--env <KEY=VALUE>', 'environment for the server container, repeatable', collectEnv)
    .option('--write-repository <dir>', 'write the sample model repository (configs for --gpus) to DIR and stop');
  addUserModelOptions(cmd);
  addCommonOptions(cmd);
  cmd.action(
    runAction<VerifyCliOptions>(async (options, ctx) => {
      const verifyOptions = toVerifyOptions(options);
      if (options.modelRepository !== undefined) {
        const sampleFlags = [
          options.backend,
          options.trtPlan,
          options.trtBuilder,
          options.url,
          options.writeRepository,
        ];
        const user = await userVerifyOptions(
          options,
          verifyOptions,
          sampleFlags.some((f) => f !== undefined),
        );
        const image = cmd.args[0];
        if (image === undefined) throw usageError('verify --model-repository needs an IMAGE');
        return runUserVerify(checkImageArg(image), user, options.markdown === true, ctx);
      }
      if (options.writeRepository !== undefined) return writeRepository(options, verifyOptions, ctx);
      const image = cmd.args[0];
      if (options.url !== undefined && image !== undefined) throw usageError('give an IMAGE or --url, not both');
      let report: VerifyReport;
      // imported here, not at the top: dockerode, tar-stream and handlebars are slow to load, and
      // `tslim --help` and the other commands need none of them
      const { verifyImage, verifyUrl } = await import('../verify/verify.js');
      if (options.url !== undefined) {
        report = await verifyUrl(options.url, verifyOptions, {
          signal: ctx.signal,
          progress: ctx.progress,
          log: ctx.log,
        });
      } else {
        if (image === undefined) throw usageError('verify needs an IMAGE (or --url http://host:8000)');
        // the reference is checked before the engine is asked anything: bad input exits 2 even with no engine
        const ref = checkImageArg(image);
        const engine = await ctx.engine();
        const { pingEngine } = await import('../docker/engine.js');
        await pingEngine(engine, ctx.signal);
        const { pullHook } = await import('./compose-after.js');
        report = await verifyImage(ref, verifyOptions, {
          engine,
          log: ctx.log,
          progress: ctx.progress,
          signal: ctx.signal,
          runId: ctx.runId,
          pull: await pullHook(ctx),
        });
      }
      return emit(report, ctx);
    }),
  );
  program.addCommand(cmd);
}

function emit(report: VerifyReport, ctx: CliContext): number {
  const failure = verifyFailure(report);
  if (report.soak && !ctx.json && ctx.log.level !== 'quiet') process.stderr.write(soakChart(report.soak));
  if (report.serverLogTail && !ctx.json) ctx.log.info(`server log (last lines):\n${report.serverLogTail.trimEnd()}`);
  if (ctx.json) {
    const { details: _details, ...error } = failure?.toJSON() ?? {};
    ctx.outJson({ ok: report.ok, verify: report, ...(failure ? { error } : {}) });
  } else {
    ctx.out(formatReport(report));
  }
  if (!failure) return 0;
  // the same two lines run-action prints for a thrown error; the report above stays on stdout
  process.stderr.write(`error: ${failure.message}\n${failure.hint ? `hint: ${failure.hint}\n` : ''}`);
  return failure.exitCode;
}

async function writeRepository(options: VerifyCliOptions, v: VerifyOptions, ctx: CliContext): Promise<number> {
  const dir = resolve(options.writeRepository ?? '.');
  const backends =
    v.backends && v.backends.length > 0
      ? explicitBackends(v.backends).backends
      : SAMPLE_BACKENDS.filter((b) => b !== 'tensorrt' || v.trtPlan !== undefined);
  await mkdir(dir, { recursive: true });
  const { loadCase: loadCases, writeSampleRepository } = await import('../verify/sample-repository.js');
  const models = await writeSampleRepository(dir, {
    backends,
    instanceKind: gpusRequested(v.gpus) ? 'KIND_GPU' : 'KIND_CPU',
    ...(v.pytorchDisableOptimizedExecution ? { pytorchDisableOptimizedExecution: true } : {}),
    ...(v.trtPlan !== undefined ? { trtPlan: v.trtPlan } : {}),
  });
  const cases = await loadCases();
  if (ctx.json) ctx.outJson({ ok: true, repository: dir, models: models.map((m) => m.name), case: cases });
  else
    ctx.out(
      `${dir}\n${models.map((m) => `  ${m.name}`).join('\n')}\nstart: tritonserver --model-repository=${dir} --model-control-mode=explicit ${models.map((m) => `--load-model=${m.name}`).join(' ')}\n`,
    );
  return 0;
}
