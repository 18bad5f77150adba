import { encodeInferRequest, type WireRequest } from '../../src/verify/infer-wire.js';
import { encodeBinary } from '../../src/verify/tensor-codec.js';
import { MODELS } from './conformance-models.js';

/**
 * The requests of the conformance suite, in the order they are sent (state carries over: loads,
 * inferences, unloads). Every call tslim makes (src/verify/kserve-client.ts, infer-wire.ts, soak's
 * metrics) plus the error answers and the statistics of the KServe v2 / Triton HTTP API.
 */
export interface ConformanceRequest {
  /** Unique; docs/double-conformance.md names allowed differences by it. */
  name: string;
  port: 'http' | 'metrics';
  method: 'GET' | 'POST';
  path: string;
  /** A JSON body (sent as tslim's client sends it). */
  json?: unknown;
  /** A ready infer body: JSON alone, or JSON then binary data with Inference-Header-Content-Length. */
  raw?: { body: Buffer; headerLength?: number };
  /** Metrics: which series to compare (nv_gpu_* apart: see docs/double-conformance.md). */
  series?: 'gpu' | 'other';
}

const A = [0.1, -2.25, 3.0, 1000.0];
const B = [0.2, 4.0, -1.75, 0.001];
const addSubInputs = (
  datatype = 'FP32',
  shape = [1, 4],
): { name: string; datatype: string; shape: number[]; data: number[] }[] => [
  { name: 'INPUT0', datatype, shape, data: A.slice(0, shape[1]) },
  { name: 'INPUT1', datatype, shape, data: B.slice(0, shape[1]) },
];

/** JSON in, binary out: what tslim's verify sends (infer-wire.ts). */
function wire(request: WireRequest): { body: Buffer; headerLength?: number } {
  return encodeInferRequest(request);
}

/** Binary in and out: every input as binary tensor data after the JSON header. */
function binaryIn(
  inputs: { name: string; datatype: 'FP32' | 'BYTES'; shape: number[]; values: (number | string)[] }[],
  outputs: string[],
) {
  const chunks = inputs.map((t) => encodeBinary(t.datatype, t.values));
  const head = Buffer.from(
    JSON.stringify({
      id: 'conformance-binary',
      inputs: inputs.map((t, i) => ({
        name: t.name,
        datatype: t.datatype,
        shape: t.shape,
        parameters: { binary_data_size: chunks[i]!.length },
      })),
      outputs: outputs.map((name) => ({ name, parameters: { binary_data: true } })),
    }),
  );
  return { body: Buffer.concat([head, ...chunks]), headerLength: head.length };
}

const get = (name: string, path: string): ConformanceRequest => ({ name, port: 'http', method: 'GET', path });
const post = (name: string, path: string, json: unknown = {}): ConformanceRequest => ({
  name,
  port: 'http',
  method: 'POST',
  path,
  json,
});
const infer = (name: string, model: string, json: unknown): ConformanceRequest =>
  post(name, `/v2/models/${model}/infer`, json);
const inferRaw = (name: string, model: string, raw: { body: Buffer; headerLength?: number }): ConformanceRequest => ({
  name,
  port: 'http',
  method: 'POST',
  path: `/v2/models/${model}/infer`,
  raw,
});
const load = (model: string): ConformanceRequest => post(`load ${model}`, `/v2/repository/models/${model}/load`);
const unload = (model: string): ConformanceRequest => post(`unload ${model}`, `/v2/repository/models/${model}/unload`);
const metrics = (when: string): ConformanceRequest[] => [
  { name: `metrics ${when} [nv_gpu_*]`, port: 'metrics', method: 'GET', path: '/metrics', series: 'gpu' },
  { name: `metrics ${when} [other series]`, port: 'metrics', method: 'GET', path: '/metrics', series: 'other' },
];

export function conformanceRequests(): ConformanceRequest[] {
  const { onnx, python, identity, bytes, noBackend, neverLoaded } = MODELS;
  const served = [onnx, python, identity, bytes];
  return [
    get('health live', '/v2/health/live'),
    get('health ready (nothing loaded)', '/v2/health/ready'),
    get('server metadata', '/v2'),
    post('repository index (nothing loaded)', '/v2/repository/index'),
    ...metrics('(nothing loaded)'),
    ...served.map(load),
    load(noBackend),
    load('nosuch'),
    ...metrics('(after loads)'),
    post('repository index', '/v2/repository/index'),
    post('repository index ready', '/v2/repository/index', { ready: true }),
    get('health ready (a model failed to load)', '/v2/health/ready'),
    ...served.flatMap((m) => [
      get(`model metadata ${m}`, `/v2/models/${m}`),
      get(`model config ${m}`, `/v2/models/${m}/config`),
      get(`model ready ${m}`, `/v2/models/${m}/ready`),
    ]),
    get(`model metadata ${onnx} version 1`, `/v2/models/${onnx}/versions/1`),
    get(`model ready ${onnx} version 1`, `/v2/models/${onnx}/versions/1/ready`),
    // inference, JSON
    infer(`infer JSON ${onnx}`, onnx, {
      id: 'conformance-1',
      inputs: addSubInputs(),
      outputs: [{ name: 'OUTPUT0' }, { name: 'OUTPUT1' }],
    }),
    infer(`infer JSON ${python}`, python, {
      id: 'conformance-2',
      inputs: addSubInputs(),
      outputs: [{ name: 'OUTPUT0' }, { name: 'OUTPUT1' }],
    }),
    infer(`infer JSON ${onnx} (no outputs named, batch 2)`, onnx, {
      inputs: [
        { name: 'INPUT0', datatype: 'FP32', shape: [2, 4], data: [A, B] },
        { name: 'INPUT1', datatype: 'FP32', shape: [2, 4], data: [B, A] },
      ],
    }),
    infer(`infer JSON ${python} (one output named)`, python, {
      inputs: addSubInputs(),
      outputs: [{ name: 'OUTPUT1' }],
    }),
    infer(`infer JSON ${identity}`, identity, {
      inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 3], data: [1.5, -2, 0.1] }],
    }),
    infer(`infer JSON ${bytes}`, bytes, {
      inputs: [{ name: 'INPUT0', datatype: 'BYTES', shape: [2], data: ['hello', 'wörld'] }],
    }),
    // inference, binary tensor data extension
    inferRaw(
      `infer binary out (tslim's wire) ${onnx}`,
      onnx,
      wire({ id: 'tslim-onnx-b1', inputs: wireInputs(), outputs: ['OUTPUT0', 'OUTPUT1'] }),
    ),
    inferRaw(
      `infer binary out (tslim's wire) ${python}`,
      python,
      wire({ id: 'tslim-python-b1', inputs: wireInputs(), outputs: ['OUTPUT0', 'OUTPUT1'] }),
    ),
    inferRaw(`infer binary in+out ${onnx}`, onnx, binaryIn(binaryAddSub(), ['OUTPUT0', 'OUTPUT1'])),
    inferRaw(`infer binary in+out ${python}`, python, binaryIn(binaryAddSub(), ['OUTPUT0'])),
    inferRaw(
      `infer binary in+out ${identity}`,
      identity,
      binaryIn([{ name: 'INPUT0', datatype: 'FP32', shape: [2, 2], values: [1, 2, 3, 4] }], ['OUTPUT0']),
    ),
    inferRaw(
      `infer binary in+out ${bytes}`,
      bytes,
      binaryIn([{ name: 'INPUT0', datatype: 'BYTES', shape: [3], values: ['a', '', 'ccc'] }], ['OUTPUT0']),
    ),
    infer(`infer JSON in, binary_data_output ${onnx}`, onnx, {
      inputs: addSubInputs(),
      parameters: { binary_data_output: true },
    }),
    // error answers
    infer('infer unknown model', 'nosuch', { inputs: addSubInputs() }),
    infer(`infer wrong shape ${onnx}`, onnx, { inputs: addSubInputs('FP32', [1, 3]) }),
    infer(`infer wrong dtype ${onnx}`, onnx, {
      inputs: [
        { name: 'INPUT0', datatype: 'INT32', shape: [1, 4], data: [1, 2, 3, 4] },
        { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: B },
      ],
    }),
    infer(`infer wrong dtype ${python}`, python, {
      inputs: [
        { name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: A },
        { name: 'INPUT1', datatype: 'FP64', shape: [1, 4], data: B },
      ],
    }),
    infer(`infer batch too large ${python}`, python, {
      inputs: addSubInputs('FP32', [33, 4]).map((t) => ({ ...t, data: Array.from({ length: 33 }, () => t.data) })),
    }),
    infer(`infer missing input ${onnx}`, onnx, { inputs: addSubInputs().slice(0, 1) }),
    infer(`infer unexpected input ${identity}`, identity, {
      inputs: [
        { name: 'INPUT0', datatype: 'FP32', shape: [1, 1], data: [1] },
        { name: 'EXTRA', datatype: 'FP32', shape: [1, 1], data: [1] },
      ],
    }),
    infer(`infer wrong element count ${identity}`, identity, {
      inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 3], data: [1, 2] }],
    }),
    infer(`infer model not ready (never loaded) ${neverLoaded}`, neverLoaded, {
      inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 1], data: [1] }],
    }),
    infer(`infer model not ready (failed to load) ${noBackend}`, noBackend, {
      inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [4], data: A }],
    }),
    get('model metadata unknown model', '/v2/models/nosuch'),
    get('model config unknown model', '/v2/models/nosuch/config'),
    get('model ready unknown model', '/v2/models/nosuch/ready'),
    get(`model metadata not ready ${neverLoaded}`, `/v2/models/${neverLoaded}`),
    get(`model config not ready ${neverLoaded}`, `/v2/models/${neverLoaded}/config`),
    get(`model ready not ready ${neverLoaded}`, `/v2/models/${neverLoaded}/ready`),
    get(`model ready failed ${noBackend}`, `/v2/models/${noBackend}/ready`),
    // statistics and metrics
    ...served.map((m) => get(`statistics ${m}`, `/v2/models/${m}/stats`)),
    get('statistics unknown model', '/v2/models/nosuch/stats'),
    get('statistics all models', '/v2/models/stats'),
    ...metrics('(after inference)'),
    // unload, and a model that is no longer ready
    unload(identity),
    unload('nosuch'),
    get(`model ready ${identity} (unloaded)`, `/v2/models/${identity}/ready`),
    get(`model metadata ${identity} (unloaded)`, `/v2/models/${identity}`),
    infer(`infer model not ready (unloaded) ${identity}`, identity, {
      inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 1], data: [1] }],
    }),
    post('repository index (after unload)', '/v2/repository/index'),
    ...metrics('(after unload)'),
  ];
}

function wireInputs(): WireRequest['inputs'] {
  return [
    { name: 'INPUT0', datatype: 'FP32', shape: [1, 4], values: A },
    { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], values: B },
  ];
}

function binaryAddSub(): { name: string; datatype: 'FP32'; shape: number[]; values: number[] }[] {
  return [
    { name: 'INPUT0', datatype: 'FP32', shape: [2, 4], values: [...A, ...B] },
    { name: 'INPUT1', datatype: 'FP32', shape: [2, 4], values: [...B, ...A] },
  ];
}
