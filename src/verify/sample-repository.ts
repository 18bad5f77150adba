import Handlebars from 'handlebars';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TslimError } from '../core/errors.js';
import type { SampleBackend } from './sample-backends.js';

export type InstanceKind = 'KIND_GPU' | 'KIND_CPU';

/** The model's name in the per-run repository. */
export function modelName(backend: SampleBackend): string {
  return `tslim_${backend}`;
}

/** The known input and expected output every sample shares (samples/cases.json). */
export interface SampleCase {
  datatype: string;
  maxBatchSize: number;
  inputs: Record<string, { shape: number[]; data: number[] }>;
  outputs: Record<string, { shape: number[]; data: number[] }>;
  tolerance: { abs: number; rel: number };
}

/** samples/ beside dist/ (installed) or src/ (development); TSLIM_SAMPLES_DIR overrides. */
export function samplesDir(): string {
  return process.env.TSLIM_SAMPLES_DIR ?? fileURLToPath(new URL('../../samples/', import.meta.url));
}

export async function loadCase(dir = samplesDir()): Promise<SampleCase> {
  try {
    return JSON.parse(await readFile(join(dir, 'cases.json'), 'utf8')) as SampleCase;
  } catch (cause) {
    throw new TslimError('IO', `cannot read the sample cases in ${dir}: ${(cause as Error).message}`, {
      cause,
      hint: 'reinstall tslim, or set TSLIM_SAMPLES_DIR to a samples/ folder',
    });
  }
}

export interface ConfigValues {
  name: string;
  instanceKind: InstanceKind;
  maxBatchSize: number;
  parameters: Record<string, string>;
}

/** Renders one sample's config.pbtxt from its template and the shared io partial. */
export function renderConfig(template: string, ioPartial: string, values: ConfigValues): string {
  const hb = Handlebars.create();
  hb.registerPartial('io', ioPartial);
  return hb.compile(template, { noEscape: true, strict: true })(values);
}

/** Model binaries, relative to samples/models/<backend>/. tensorrt's plan is built per run. */
const MODEL_FILES: Record<SampleBackend, string | undefined> = {
  onnxruntime: '1/model.onnx',
  python: '1/model.py',
  pytorch: '1/model.pt',
  tensorrt: undefined,
};

export interface RepositoryOptions {
  backends: readonly SampleBackend[];
  /** KIND_GPU when the run has GPUs, KIND_CPU with --gpus none. tensorrt is always KIND_GPU. */
  instanceKind: InstanceKind;
  /** pytorch_backend's DISABLE_OPTIMIZED_EXECUTION parameter. */
  pytorchDisableOptimizedExecution?: boolean;
  /** A prebuilt plan to use for tensorrt instead of building one. */
  trtPlan?: string;
  samples?: string;
}

export interface SampleModel {
  backend: SampleBackend;
  name: string;
  instanceKind: InstanceKind;
  /** Where the model's version-1 file lives (the plan's target for tensorrt). */
  file: string;
}

/** Writes a model repository for this run into `dir` (readable by any container user). */
export async function writeSampleRepository(dir: string, options: RepositoryOptions): Promise<SampleModel[]> {
  const samples = options.samples ?? samplesDir();
  const cases = await loadCase(samples);
  const io = await readFile(join(samples, 'models', 'io.pbtxt.hbs'), 'utf8');
  await chmod(dir, 0o755);
  const models: SampleModel[] = [];
  for (const backend of options.backends) {
    const name = modelName(backend);
    // TensorRT engines run on GPUs only; there is no CPU instance of a plan.
    const instanceKind: InstanceKind = backend === 'tensorrt' ? 'KIND_GPU' : options.instanceKind;
    const parameters: Record<string, string> = {};
    if (backend === 'pytorch' && options.pytorchDisableOptimizedExecution)
      parameters.DISABLE_OPTIMIZED_EXECUTION = 'true';
    const template = await readFile(join(samples, 'models', backend, 'config.pbtxt.hbs'), 'utf8');
    const config = renderConfig(template, io, { name, instanceKind, maxBatchSize: cases.maxBatchSize, parameters });
    const modelDir = join(dir, name);
    await mkdir(join(modelDir, '1'), { recursive: true, mode: 0o755 });
    await writeFile(join(modelDir, 'config.pbtxt'), config, { mode: 0o644 });
    const relative = MODEL_FILES[backend] ?? '1/model.plan';
    const file = join(modelDir, relative);
    if (MODEL_FILES[backend] !== undefined) await copyFile(join(samples, 'models', backend, relative), file);
    else if (options.trtPlan !== undefined) await copyFile(options.trtPlan, file);
    if (MODEL_FILES[backend] !== undefined || options.trtPlan !== undefined) await chmod(file, 0o644);
    models.push({ backend, name, instanceKind, file });
  }
  return models;
}

/** The ONNX sample the TensorRT plan is built from. */
export function onnxSamplePath(samples = samplesDir()): string {
  return join(samples, 'models', 'onnxruntime', '1', 'model.onnx');
}
