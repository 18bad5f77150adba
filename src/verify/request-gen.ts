import { usageError } from '../core/errors.js';
import type { WireRequest, WireTensor } from './infer-wire.js';
import type { ShapeOverride } from './user-inputs.js';
import { FLOAT_TYPES, isDatatype, type TensorValue } from './tensor-codec.js';

/** What the server says of a model: GET /v2/models/M (metadata) and the config's max_batch_size. */
export interface ModelSignature {
  name: string;
  maxBatchSize: number;
  inputs: { name: string; datatype: string; shape: number[]; optional?: boolean }[];
  outputs: { name: string; datatype: string; shape: number[] }[];
}

/** A variable dim with no --shape: small, so a request stays cheap whatever the model. */
export const DEFAULT_DIM = 4;

/** Reads metadata + config answers into a signature (shapes without the batch dim). */
export function signatureOf(name: string, metadata: unknown, config: unknown): ModelSignature {
  const meta = metadata as {
    inputs?: { name: string; datatype: string; shape: number[] }[];
    outputs?: typeof meta.inputs;
  };
  const cfg = config as { max_batch_size?: number; input?: { name: string; optional?: boolean }[] };
  const maxBatchSize = Number(cfg?.max_batch_size ?? 0);
  const strip = (shape: number[]): number[] => (maxBatchSize > 0 ? shape.slice(1) : shape).map(Number);
  const optional = new Set((cfg?.input ?? []).filter((i) => i.optional).map((i) => i.name));
  return {
    name,
    maxBatchSize,
    inputs: (meta?.inputs ?? []).map((i) => ({
      name: i.name,
      datatype: i.datatype,
      shape: strip(i.shape),
      ...(optional.has(i.name) ? { optional: true } : {}),
    })),
    outputs: (meta?.outputs ?? []).map((o) => ({ name: o.name, datatype: o.datatype, shape: strip(o.shape) })),
  };
}

/** A small deterministic generator (mulberry32) seeded by the model and input names. */
function generator(seedText: string): () => number {
  let seed = 0;
  for (const ch of seedText) seed = (Math.imul(seed, 31) + ch.charCodeAt(0)) | 0;
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function values(datatype: string, count: number, next: () => number): TensorValue[] {
  return Array.from({ length: count }, (_, k) => {
    const r = next();
    if (datatype === 'BYTES') return `tslim-${k}-${Math.floor(r * 1000)}`;
    if (datatype === 'BOOL') return r < 0.5;
    // floats on a 1/256 grid in [-1, 1): exact in FP16 and BF16, so both images get the same bytes
    if (FLOAT_TYPES.has(datatype)) return Math.floor(r * 512 - 256) / 256;
    return Math.floor(r * 16); // small non-negative integers: safe as ids, indices, lengths
  });
}

/** The dims of one input: fixed dims as given, variable ones from --shape or DEFAULT_DIM. */
function resolveDims(
  model: string,
  input: { name: string; shape: number[] },
  overrides: readonly ShapeOverride[],
): number[] {
  const o =
    overrides.find((s) => s.input === input.name && s.model === model) ??
    overrides.find((s) => s.input === input.name && s.model === undefined);
  if (!o) return input.shape.map((d) => (d < 0 ? DEFAULT_DIM : d));
  const fits = o.dims.length === input.shape.length && input.shape.every((d, i) => d < 0 || d === o.dims[i]);
  if (!fits) {
    throw usageError(
      `--shape ${o.text}: model '${model}' input '${input.name}' has dims [${input.shape.join(',')}]`,
      'give one value per dim (without the batch dim), equal to the fixed ones',
    );
  }
  return o.dims;
}

/** One deterministic request for a model: every input, batch `batch` when the model batches. */
export function generateRequest(sig: ModelSignature, overrides: readonly ShapeOverride[], batch = 1): WireRequest {
  const inputs: WireTensor[] = sig.inputs.map((input) => {
    if (!isDatatype(input.datatype))
      throw usageError(
        `model '${sig.name}' input '${input.name}' has datatype ${input.datatype}, which KServe v2 does not define`,
      );
    const dims = resolveDims(sig.name, input, overrides);
    const shape = sig.maxBatchSize > 0 ? [Math.min(batch, sig.maxBatchSize), ...dims] : dims;
    const count = shape.reduce((a, b) => a * b, 1);
    return {
      name: input.name,
      datatype: input.datatype,
      shape,
      values: values(input.datatype, count, generator(`${sig.name}/${input.name}/${batch}`)),
    };
  });
  return { id: `tslim-${sig.name}-b${batch}`, inputs, outputs: sig.outputs.map((o) => o.name) };
}

/** Overrides that name no input of any model: a typo, refused rather than ignored. */
export function unusedOverrides(overrides: readonly ShapeOverride[], sigs: readonly ModelSignature[]): ShapeOverride[] {
  return overrides.filter(
    (o) => !sigs.some((s) => (o.model === undefined || o.model === s.name) && s.inputs.some((i) => i.name === o.input)),
  );
}
