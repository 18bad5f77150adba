import { execFile } from 'node:child_process';
import { access, chmod, constants, copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { Cleanup } from '../core/abort.js';
import { TslimError } from '../core/errors.js';
import { IMAGE_LABELS } from '../core/labels.js';
import type { Engine } from '../docker/engine.js';
import { containerLogs, createContainer, removeContainer } from '../docker/containers.js';
import { statPath, withScratchContainer } from '../docker/archive.js';
import { inspectImageRaw } from '../docker/images.js';
import { applyMirrors, type RegistryMirror } from '../compose/mirrors.js';
import { deviceRequests, type GpuDriver, type GpuSelection } from './gpu-request.js';
import { gpuStartError } from './server-runner.js';

/** Where NVIDIA's full tritonserver images keep trtexec. */
export const TRTEXEC_IN_IMAGE = '/usr/src/tensorrt/bin/trtexec';
/** Label a slim image may carry naming the full image it was made from (same TensorRT release). */
export const FULL_IMAGE_LABEL = IMAGE_LABELS.sourceFull;

export type TrtBuilder = { kind: 'image'; image: string } | { kind: 'host'; path: string };

/** Where a builder image comes from: --registry-mirror rewrites, and a pull for one the engine lacks. */
export interface BuilderSource {
  mirrors?: readonly RegistryMirror[];
  /** Pulls `used` (requested rewritten through the mirrors) with the requested registry's credentials. */
  pull?: (requested: string, used: string) => Promise<void>;
}

/** trtexec's shape flags: batch 1..max over [batch, 4] inputs, tuned for the soak's 16. */
export function trtexecArgs(onnx: string, plan: string, maxBatch: number): string[] {
  const shapes = (n: number): string => `INPUT0:${n}x4,INPUT1:${n}x4`;
  return [
    `--onnx=${onnx}`,
    `--saveEngine=${plan}`,
    `--minShapes=${shapes(1)}`,
    `--optShapes=${shapes(Math.min(16, maxBatch))}`,
    `--maxShapes=${shapes(maxBatch)}`,
  ];
}

function noBuilder(what: string): TslimError {
  return new TslimError('VERIFY_FAILED', `no TensorRT builder found: ${what}`, {
    hint: `a plan must be built by trtexec of the image's TensorRT release on the target GPU: pass --trt-builder IMAGE (the full tritonserver image of the same release, which has ${TRTEXEC_IN_IMAGE}) or --trt-builder /path/to/trtexec, or --trt-plan FILE built for this GPU`,
  });
}

/**
 * Picks the builder: --trt-builder (an absolute/relative path is a host trtexec, anything else an
 * image), else the image named by the dev.tslim.source.full label, else the verified image itself
 * when it holds trtexec (a full image does; a slim one usually does not).
 */
export async function resolveTrtBuilder(
  engine: Engine,
  image: string,
  labels: Record<string, string>,
  option: string | undefined,
  runId: string,
  signal?: AbortSignal,
  source: BuilderSource = {},
): Promise<TrtBuilder> {
  if (option !== undefined && (isAbsolute(option) || option.startsWith('./') || option.startsWith('../'))) {
    try {
      await access(option, constants.X_OK);
    } catch {
      throw noBuilder(`--trt-builder ${option} is not an executable file`);
    }
    return { kind: 'host', path: option };
  }
  // nvcr.io/... names go through --registry-mirror exactly as compose's FROM images do
  const mirrored = (ref: string): string => applyMirrors(ref, source.mirrors ?? []);
  const candidates =
    option !== undefined
      ? [mirrored(option)]
      : [labels[FULL_IMAGE_LABEL], image].filter((c): c is string => c !== undefined && c !== '').map(mirrored);
  for (const candidate of candidates) {
    let raw = await inspectImageRaw(engine, candidate, signal);
    if (!raw && option !== undefined && source.pull) {
      await source.pull(option, candidate);
      raw = await inspectImageRaw(engine, candidate, signal);
    }
    if (!raw) {
      if (option !== undefined)
        throw noBuilder(`--trt-builder image ${candidate} is not in the engine (pull it first)`);
      continue;
    }
    const found = await withScratchContainer(engine, raw.Id, runId, (c) => statPath(c, TRTEXEC_IN_IMAGE), signal);
    if (found) return { kind: 'image', image: candidate };
    if (option !== undefined) throw noBuilder(`${candidate} has no ${TRTEXEC_IN_IMAGE}`);
  }
  throw noBuilder(
    `${candidates.join(' and ')} ${candidates.length === 1 ? 'has' : 'have'} no ${TRTEXEC_IN_IMAGE}, and no --trt-builder was given`,
  );
}

export interface TrtBuildSpec {
  builder: TrtBuilder;
  onnx: string;
  /** Where the plan goes (the repository's tslim_tensorrt/1/model.plan). */
  plan: string;
  maxBatch: number;
  gpus: GpuSelection;
  gpuDriver: GpuDriver;
  runId: string;
}

/** Builds the plan with trtexec on the target GPU; the container and scratch folder go in finally. */
export async function buildTrtPlan(engine: Engine, spec: TrtBuildSpec, signal?: AbortSignal): Promise<void> {
  if (spec.builder.kind === 'host') {
    try {
      await promisify(execFile)(spec.builder.path, trtexecArgs(spec.onnx, spec.plan, spec.maxBatch), {
        signal,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (cause) {
      const out = `${(cause as { stdout?: string }).stdout ?? ''}${(cause as { stderr?: string }).stderr ?? ''}`;
      throw new TslimError(
        'VERIFY_FAILED',
        `trtexec (${spec.builder.path}) failed to build the TensorRT plan: ${lastLines(out, 15) || (cause as Error).message}`,
        { cause },
      );
    }
    return;
  }
  const cleanup = new Cleanup();
  try {
    const work = await mkdtemp(join(tmpdir(), 'tslim-trt-'));
    cleanup.defer(() => rm(work, { recursive: true, force: true }));
    await chmod(work, 0o777); // the builder's user writes the plan here
    await copyFile(spec.onnx, join(work, 'model.onnx'));
    await chmod(join(work, 'model.onnx'), 0o644);
    const container = await createContainer(
      engine,
      {
        Image: spec.builder.image,
        Entrypoint: [TRTEXEC_IN_IMAGE],
        Cmd: trtexecArgs('/tslim/work/model.onnx', '/tslim/work/model.plan', spec.maxBatch),
        Labels: { 'dev.tslim.role': 'verify-trt-builder' },
        HostConfig: {
          NetworkMode: 'none',
          Binds: [`${work}:/tslim/work`],
          DeviceRequests: deviceRequests(spec.gpus, spec.gpuDriver),
        },
      },
      spec.runId,
      signal,
    );
    cleanup.defer(() => removeContainer(container));
    try {
      await container.start({ abortSignal: signal } as object);
    } catch (cause) {
      throw (
        gpuStartError(cause, spec) ??
        new TslimError('ENGINE', `starting trtexec in ${spec.builder.image}: ${(cause as Error).message}`, { cause })
      );
    }
    const result = (await container.wait({ abortSignal: signal } as object)) as { StatusCode?: number };
    const built = await stat(join(work, 'model.plan')).catch(() => undefined);
    if (result.StatusCode !== 0 || !built) {
      const logs = await containerLogs(container, 30).catch(() => '');
      throw new TslimError(
        'VERIFY_FAILED',
        `trtexec in ${spec.builder.image} failed (exit ${result.StatusCode ?? '?'}) to build the TensorRT plan:\n${lastLines(logs, 15)}`,
      );
    }
    await copyFile(join(work, 'model.plan'), spec.plan);
    await chmod(spec.plan, 0o644);
  } finally {
    await cleanup.run();
  }
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}
