import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSampleRepository } from '../../src/verify/sample-repository.js';

/**
 * The model repository both servers of the conformance suite run on: tslim's own verify samples
 * (onnxruntime and python, rendered as verify renders them) plus identity-backend models, a model
 * whose backend neither image has, and one that no request loads.
 */
export const MODELS = {
  onnx: 'tslim_onnxruntime',
  python: 'tslim_python',
  identity: 'identity_fp32',
  bytes: 'identity_bytes',
  noBackend: 'no_backend',
  neverLoaded: 'never_loaded',
} as const;

const IDENTITY_FP32 = `name: "${MODELS.identity}"
backend: "identity"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
`;

const IDENTITY_BYTES = `name: "${MODELS.bytes}"
backend: "identity"
max_batch_size: 0
input [ { name: "INPUT0" data_type: TYPE_STRING dims: [ -1 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_STRING dims: [ -1 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
`;

const NO_BACKEND = `name: "${MODELS.noBackend}"
backend: "nosuch"
max_batch_size: 0
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
`;

async function model(dir: string, name: string, config: string): Promise<void> {
  await mkdir(join(dir, name, '1'), { recursive: true, mode: 0o755 });
  await chmod(join(dir, name), 0o755);
  await chmod(join(dir, name, '1'), 0o755);
  await writeFile(join(dir, name, 'config.pbtxt'), config, { mode: 0o644 });
}

/** Writes the repository into `dir` (readable by any container user). */
export async function writeConformanceRepository(dir: string): Promise<void> {
  await writeSampleRepository(dir, { backends: ['onnxruntime', 'python'], instanceKind: 'KIND_CPU' });
  await model(dir, MODELS.identity, IDENTITY_FP32);
  await model(dir, MODELS.bytes, IDENTITY_BYTES);
  await model(dir, MODELS.noBackend, NO_BACKEND);
  await model(dir, MODELS.neverLoaded, IDENTITY_FP32.replace(MODELS.identity, MODELS.neverLoaded));
}
