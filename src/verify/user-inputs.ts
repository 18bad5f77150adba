import { readFile } from 'node:fs/promises';
import { usageError } from '../core/errors.js';
import type { WireRequest, WireTensor } from './infer-wire.js';
import { isDatatype, type TensorValue } from './tensor-codec.js';

/** --shape [MODEL/]INPUT=D1,D2: the dims (without the batch dim) for an input's variable (-1) dims. */
export interface ShapeOverride {
  model?: string;
  input: string;
  dims: number[];
  text: string;
}

export function parseShape(text: string): ShapeOverride {
  const m = /^(?:([A-Za-z0-9_.-]+)\/)?([^=/]+)=(\d+(?:,\d+)*)$/.exec(text);
  if (!m)
    throw usageError(
      `--shape ${text}: expected [MODEL/]INPUT=D1,D2,... (the dims without the batch dim)`,
      'e.g. --shape input_ids=128 or --shape encoder/audio=16000',
    );
  const dims = m[3]!.split(',').map(Number);
  if (dims.some((d) => d < 1)) throw usageError(`--shape ${text}: every dim must be at least 1`);
  return { ...(m[1] ? { model: m[1] } : {}), input: m[2]!, dims, text };
}

/** --inputs FILE: { "model": request | request[] } with requests in KServe v2 JSON form. */
export type InputsFile = Map<string, WireRequest[]>;

function bad(file: string, what: string): never {
  throw usageError(
    `--inputs ${file}: ${what}`,
    'the file maps model names to KServe v2 requests: {"my_model": {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 2], "data": [0.5, 1]}]}} (or a list of such requests)',
  );
}

function toTensor(file: string, where: string, raw: unknown): WireTensor {
  const t = raw as { name?: unknown; datatype?: unknown; shape?: unknown; data?: unknown };
  if (typeof t?.name !== 'string') bad(file, `${where}: an input without a name`);
  const datatype = String(t.datatype);
  if (!isDatatype(datatype)) bad(file, `${where} input '${t.name}': unknown datatype '${datatype}'`);
  if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || (d as number) < 0)) {
    bad(file, `${where} input '${t.name}': shape must be a list of whole numbers`);
  }
  const values = (Array.isArray(t.data) ? t.data.flat(Infinity) : []) as TensorValue[];
  const want = (t.shape as number[]).reduce((a, b) => a * b, 1);
  if (values.length !== want)
    bad(
      file,
      `${where} input '${t.name}': shape [${(t.shape as number[]).join(',')}] needs ${want} values, data has ${values.length}`,
    );
  return { name: t.name, datatype, shape: t.shape as number[], values };
}

export async function readInputsFile(file: string, models: readonly string[]): Promise<InputsFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    bad(file, (cause as Error).message);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    bad(file, 'the top level must be an object keyed by model name');
  const out: InputsFile = new Map();
  for (const [model, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!models.includes(model)) bad(file, `model '${model}' is not in the repository (it has: ${models.join(', ')})`);
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) bad(file, `model '${model}': no request`);
    out.set(
      model,
      list.map((r: unknown, i) => {
        const req = r as { inputs?: unknown; outputs?: unknown; id?: unknown };
        const where = `${model}[${i}]`;
        if (!Array.isArray(req?.inputs) || req.inputs.length === 0)
          bad(file, `${where}: "inputs" must be a non-empty list`);
        const outputs = Array.isArray(req.outputs)
          ? req.outputs.map((o) => String((o as { name?: unknown }).name ?? o))
          : [];
        return {
          id: typeof req.id === 'string' ? req.id : `tslim-${model}-${i}`,
          inputs: req.inputs.map((t) => toTensor(file, where, t)),
          outputs,
        };
      }),
    );
  }
  return out;
}
