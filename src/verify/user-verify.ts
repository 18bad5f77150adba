import type { Engine } from '../docker/engine.js';
import type { Progress } from '../core/progress.js';
import { diffOutput, type AbTolerance, type OutputDiff } from './ab-compare.js';
import { selectBackends } from './backends.js';
import { inspectImageRaw } from '../docker/images.js';
import { generateRequest } from './request-gen.js';
import { judgeSoak, sampleGpuMemory, type SoakOptions } from './soak.js';
import { runImage, send, type ImageRun, type ModelRun, type RunPlan } from './user-run.js';

export interface ModelVerdict {
  model: string;
  backend?: string;
  ok: boolean;
  slim: { state: string; reason?: string; loadMs?: number; instanceKinds: string[] };
  full?: { state: string; reason?: string; loadMs?: number };
  /** Per request and output: the A/B difference (with --against). */
  outputs: (OutputDiff & { request: string })[];
  /** The headline: why this model fails, in the user's words. */
  problem?: string;
  soak?: {
    ok: boolean;
    growthBytes: number;
    baselineBytes: number;
    finalBytes: number;
    requests: number;
    series: number[];
  };
}

export interface UserVerifyReport {
  ok: boolean;
  image: string;
  against?: string;
  tolerance: AbTolerance;
  models: ModelVerdict[];
  slimMs: number;
  fullMs?: number;
  durationMs: number;
  serverLogTail?: string;
}

export interface UserVerifyOptions extends RunPlan {
  against?: string;
  tolerance: AbTolerance;
  soak?: SoakOptions;
}

export interface UserVerifyDeps {
  engine: Engine;
  signal: AbortSignal;
  runId: string;
  progress: Progress;
}

/** Verifies the user's models on SLIM, and with `against` that FULL answers the same requests the same. */
export async function verifyUserModels(
  image: string,
  options: UserVerifyOptions,
  deps: UserVerifyDeps,
): Promise<UserVerifyReport> {
  const started = Date.now();
  const onStep = (text: string): void => deps.progress.update(text);
  deps.progress.start(`verifying ${options.models.length} model(s) on ${image}`);
  const soaks = new Map<string, NonNullable<ModelVerdict['soak']>>();
  const slim = await runImage(
    image,
    options,
    { ...deps, onStep },
    options.soak ? (run, client, metrics) => soakModels(run, client, metrics, options, soaks, deps, onStep) : undefined,
  );
  const full = options.against ? await runImage(options.against, options, { ...deps, onStep }) : undefined;
  const held = await slimBackends(image, deps);
  const models = slim.models.map((m) =>
    verdict(
      m,
      full?.models.find((f) => f.name === m.name),
      options.tolerance,
      held,
      soaks.get(m.name),
    ),
  );
  const ok = models.every((m) => m.ok);
  if (ok)
    deps.progress.succeed(`${models.length} model(s) verified on ${image}${full ? ` and match ${full.image}` : ''}`);
  else deps.progress.fail(`${models.filter((m) => !m.ok).length} of ${models.length} model(s) failed on ${image}`);
  return {
    ok,
    image,
    ...(options.against ? { against: options.against } : {}),
    tolerance: options.tolerance,
    models,
    slimMs: slim.durationMs,
    ...(full ? { fullMs: full.durationMs } : {}),
    durationMs: Date.now() - started,
    ...(slim.serverLogTail && !ok ? { serverLogTail: slim.serverLogTail } : {}),
  };
}

async function slimBackends(image: string, deps: UserVerifyDeps): Promise<string[]> {
  const raw = await inspectImageRaw(deps.engine, image, deps.signal);
  const sel = await selectBackends(deps.engine, image, raw?.Config?.Labels ?? {}, undefined, deps.runId, deps.signal);
  return [...sel.backends, ...sel.withoutSample];
}

export function verdict(
  s: ModelRun,
  f: ModelRun | undefined,
  tol: AbTolerance,
  held: readonly string[],
  soak?: ModelVerdict['soak'],
): ModelVerdict {
  const v: ModelVerdict = {
    model: s.name,
    ...((s.backend ?? f?.backend) ? { backend: s.backend ?? f?.backend } : {}),
    ok: true,
    slim: {
      state: s.state,
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.loadMs !== undefined ? { loadMs: s.loadMs } : {}),
      instanceKinds: s.instanceKinds,
    },
    ...(f
      ? {
          full: {
            state: f.state,
            ...(f.reason ? { reason: f.reason } : {}),
            ...(f.loadMs !== undefined ? { loadMs: f.loadMs } : {}),
          },
        }
      : {}),
    outputs: [],
    ...(soak ? { soak } : {}),
  };
  const fail = (problem: string): ModelVerdict => ({ ...v, ok: false, problem });
  if (s.state !== 'READY') {
    const backend = s.backend ?? f?.backend;
    if (f?.state === 'READY' && backend && !held.includes(backend)) {
      return fail(`your model \`${s.name}\` needs backend \`${backend}\`, which the slim image dropped`);
    }
    if (f?.state === 'READY')
      return fail(`your model \`${s.name}\` loads in the full image but not in the slim one: ${s.reason ?? s.state}`);
    return fail(
      `your model \`${s.name}\` did not load${f ? ' (in the full image either)' : ''}: ${s.reason ?? s.state}`,
    );
  }
  const broken = s.responses.find((r) => r.error);
  if (broken) return fail(`your model \`${s.name}\` failed request ${broken.request}: ${broken.error ?? ''}`);
  if (f) {
    if (f.state !== 'READY')
      return fail(`your model \`${s.name}\` loads in the slim image but not in the full one: ${f.reason ?? f.state}`);
    for (const [i, r] of s.responses.entries()) {
      const other = f.responses[i];
      for (const want of other?.outputs ?? [])
        v.outputs.push({
          request: r.request,
          ...diffOutput(
            r.outputs?.find((o) => o.name === want.name),
            want,
            tol,
          ),
        });
    }
    const bad = v.outputs.find((o) => !o.equal);
    if (bad) {
      return fail(
        `your model \`${s.name}\` answers differently: output \`${bad.output}\` max abs diff ${fmt(bad.maxAbsDiff)}, max rel diff ${fmt(bad.maxRelDiff)} (${bad.mismatch ?? ''}; ${bad.rule === 'exact' ? 'exact match required' : `rtol ${tol.rtol}, atol ${tol.atol}`})`,
      );
    }
  }
  if (soak && !soak.ok)
    return fail(
      `your model \`${s.name}\`: GPU memory grew by ${Math.round(soak.growthBytes / 2 ** 20)} MiB after warm-up`,
    );
  return v;
}

function fmt(n: number): string {
  return Number.isFinite(n) ? n.toPrecision(3) : 'inf';
}

/** --soak per model: the batch sequence round after round, GPU memory sampled after each request. */
async function soakModels(
  run: ImageRun,
  client: Parameters<typeof send>[0],
  metricsUrl: string,
  options: UserVerifyOptions,
  out: Map<string, NonNullable<ModelVerdict['soak']>>,
  deps: UserVerifyDeps,
  onStep: (text: string) => void,
): Promise<void> {
  const soak = options.soak!;
  for (const m of run.models.filter((x) => x.state === 'READY' && x.signature)) {
    const series: number[] = [];
    for (let round = 0; round < soak.rounds; round += 1) {
      for (const batch of soak.batches) {
        deps.signal.throwIfAborted();
        await send(client, m.name, generateRequest(m.signature!, options.shapes, batch));
        series.push(await sampleGpuMemory(metricsUrl, deps.signal));
      }
      onStep(`soak ${m.name}: round ${round + 1}/${soak.rounds}`);
    }
    const j = judgeSoak(series, Math.min(soak.warmupRounds, soak.rounds) * soak.batches.length, soak.thresholdBytes);
    out.set(m.name, {
      ok: j.ok,
      growthBytes: j.growthBytes,
      baselineBytes: j.baselineBytes,
      finalBytes: j.finalBytes,
      requests: series.length,
      series,
    });
  }
}
