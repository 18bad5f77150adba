import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import { pbMessages, pbNumber, pbString, type PbMessage } from './pbtxt-value.js';

/** A model of the user's repository as its folder and config.pbtxt describe it (the server may auto-complete more). */
export interface RepoModel {
  name: string;
  repository: string;
  dir: string;
  config: PbMessage;
  platform?: string;
  /** The backend that serves it: config `backend`, else from `platform` or the model file; none for ensembles. */
  backend?: string;
  maxBatchSize: number;
  /** Ensemble steps and BLS calls (python models naming another model in their model.py). */
  dependencies: string[];
}

const PLATFORM_BACKEND: Record<string, string> = {
  onnxruntime_onnx: 'onnxruntime',
  pytorch_libtorch: 'pytorch',
  tensorrt_plan: 'tensorrt',
  tensorflow_savedmodel: 'tensorflow',
  tensorflow_graphdef: 'tensorflow',
};
const FILE_BACKEND: Record<string, string> = {
  'model.onnx': 'onnxruntime',
  'model.pt': 'pytorch',
  'model.plan': 'tensorrt',
  'model.savedmodel': 'tensorflow',
  'model.graphdef': 'tensorflow',
  'model.py': 'python',
};
// BLS: pb_utils.InferenceRequest(model_name="other", ...) with a literal name
const BLS_CALL = /model_name\s*=\s*['"]([A-Za-z0-9_.-]+)['"]/g;
const LAYOUT =
  'a model repository holds one folder per model, each with a config.pbtxt and version folders (1/, 2/, ...)';

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** Reads every model of the repositories; a folder that is no model repository, or a broken config, is bad input. */
export async function scanRepositories(dirs: readonly string[]): Promise<RepoModel[]> {
  const models: RepoModel[] = [];
  for (const given of dirs) {
    const repository = resolve(given);
    if (!(await isDir(repository))) throw usageError(`--model-repository ${given}: no such directory`, LAYOUT);
    const found: RepoModel[] = [];
    for (const name of (await readdir(repository)).sort()) {
      const dir = join(repository, name);
      if (name.startsWith('.') || !(await isDir(dir))) continue;
      const model = await readModel(repository, name, dir);
      if (model) found.push(model);
    }
    if (found.length === 0) {
      throw usageError(
        `--model-repository ${given} is not a Triton model repository: no folder in it has a config.pbtxt or a version folder`,
        LAYOUT,
      );
    }
    for (const m of found) {
      const twin = models.find((o) => o.name === m.name);
      if (twin)
        throw usageError(
          `model '${m.name}' is in two repositories: ${twin.repository} and ${m.repository}`,
          'Triton refuses duplicate model names; keep one',
        );
    }
    models.push(...found);
  }
  return models;
}

async function readModel(repository: string, name: string, dir: string): Promise<RepoModel | undefined> {
  const entries = await readdir(dir);
  const versions = [];
  for (const e of entries) if (/^\d+$/.test(e) && (await isDir(join(dir, e)))) versions.push(e);
  const hasConfig = entries.includes('config.pbtxt');
  if (!hasConfig && versions.length === 0) return undefined;
  let config: PbMessage = {};
  if (hasConfig) {
    const file = join(dir, 'config.pbtxt');
    // the schema reader loads protobufjs: only for a run that reads user models
    const { parsePbtxt, PbtxtError } = await import('./pbtxt.js');
    try {
      config = parsePbtxt(await readFile(file, 'utf8'));
    } catch (cause) {
      if (!(cause instanceof PbtxtError)) throw cause;
      throw usageError(
        `${file} is not a model configuration Triton accepts: ${cause.message}`,
        "config.pbtxt is protobuf text format with the fields of Triton's model_config.proto; fix the field or value at that line and column",
      );
    }
  }
  const platform = pbString(config, 'platform');
  const steps = pbMessages(pbMessages(config, 'ensemble_scheduling')[0], 'step').map(
    (s) => pbString(s, 'model_name') ?? '',
  );
  const files = (await Promise.all(versions.map((v) => readdir(join(dir, v))))).flat();
  let backend = pbString(config, 'backend') ?? (platform ? PLATFORM_BACKEND[platform] : undefined);
  if (!backend && platform !== 'ensemble') backend = files.map((f) => FILE_BACKEND[f]).find((b) => b !== undefined);
  const bls: string[] = [];
  if (backend === 'python') {
    for (const v of versions) {
      const script = await readFile(join(dir, v, 'model.py'), 'utf8').catch(() => '');
      for (const m of script.matchAll(BLS_CALL)) if (m[1] !== name && !bls.includes(m[1]!)) bls.push(m[1]!);
    }
  }
  return {
    name,
    repository,
    dir,
    config,
    ...(platform ? { platform } : {}),
    ...(backend ? { backend } : {}),
    maxBatchSize: pbNumber(config, 'max_batch_size') ?? 0,
    dependencies: [...steps.filter((s) => s !== ''), ...bls],
  };
}

/** --model names (all when none), each checked, in load order: dependencies before the models that call them. */
export function selectModels(models: readonly RepoModel[], names: readonly string[]): RepoModel[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  for (const n of names) {
    if (!byName.has(n)) {
      throw usageError(
        `--model ${n}: no such model in the repository`,
        `the repository has: ${[...byName.keys()].join(', ')}`,
      );
    }
  }
  const order: RepoModel[] = [];
  const visit = (name: string, trail: ReadonlySet<string>): void => {
    const m = byName.get(name);
    if (!m || trail.has(name) || order.includes(m)) return;
    for (const d of m.dependencies) visit(d, new Set([...trail, name]));
    order.push(m);
  };
  for (const n of names.length > 0 ? names : [...byName.keys()]) visit(n, new Set());
  return order;
}

/** Dependencies a model names that no repository holds: "ensemble step 'x' is not in the repository". */
export function missingDependencies(model: RepoModel, models: readonly RepoModel[]): string[] {
  return model.dependencies.filter((d) => !models.some((m) => m.name === d));
}
