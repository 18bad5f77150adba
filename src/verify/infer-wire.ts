import {
  BINARY_ONLY,
  decodeBinary,
  encodeBinary,
  isDatatype,
  type Datatype,
  type TensorValue,
} from './tensor-codec.js';

/** One tensor of a request or response, values flat in row-major order. */
export interface WireTensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  values: TensorValue[];
}

export interface WireRequest {
  id?: string;
  inputs: WireTensor[];
  /** Outputs to ask for; all come back as binary data (exact bytes). */
  outputs: string[];
}

export const HEADER_LENGTH = 'inference-header-content-length';
/** Tensors with more elements than this travel binary even when JSON could carry them. */
export const BINARY_THRESHOLD = 1024;

/** The POST body of /v2/models/M/infer: JSON alone, or JSON then binary data (the binary extension). */
export function encodeInferRequest(request: WireRequest): { body: Buffer; headerLength?: number } {
  const chunks: Buffer[] = [];
  const inputs = request.inputs.map((t) => {
    const base = { name: t.name, datatype: t.datatype, shape: t.shape };
    if (BINARY_ONLY.has(t.datatype) || t.values.length > BINARY_THRESHOLD) {
      const raw = encodeBinary(t.datatype, t.values);
      chunks.push(raw);
      return { ...base, parameters: { binary_data_size: raw.length } };
    }
    return { ...base, data: t.values };
  });
  const head = Buffer.from(
    JSON.stringify({
      ...(request.id === undefined ? {} : { id: request.id }),
      inputs,
      outputs: request.outputs.map((name) => ({ name, parameters: { binary_data: true } })),
    }),
  );
  return chunks.length === 0 ? { body: head } : { body: Buffer.concat([head, ...chunks]), headerLength: head.length };
}

interface ResponseOutput {
  name?: unknown;
  datatype?: unknown;
  shape?: unknown;
  data?: unknown;
  parameters?: { binary_data_size?: unknown };
}

/** Outputs of an infer response, JSON or binary extension, decoded to flat values. */
export function decodeInferResponse(body: Buffer, headerLength: number | undefined): WireTensor[] {
  const head = headerLength === undefined ? body : body.subarray(0, headerLength);
  const parsed = JSON.parse(head.toString('utf8')) as { outputs?: ResponseOutput[] };
  let pos = headerLength ?? body.length;
  return (parsed.outputs ?? []).map((o) => {
    const datatype = String(o.datatype);
    if (!isDatatype(datatype)) throw new Error(`output ${String(o.name)} has an unknown datatype ${datatype}`);
    const shape = Array.isArray(o.shape) ? o.shape.map(Number) : [];
    const size = o.parameters?.binary_data_size;
    let values: TensorValue[];
    if (typeof size === 'number') {
      if (pos + size > body.length) throw new Error(`output ${String(o.name)}: binary data ends early`);
      values = decodeBinary(datatype, body.subarray(pos, pos + size));
      pos += size;
    } else {
      values = flat(o.data);
    }
    return { name: String(o.name), datatype, shape, values };
  });
}

function flat(data: unknown): TensorValue[] {
  if (!Array.isArray(data)) return data === undefined ? [] : [data as TensorValue];
  return data.flatMap((d) => flat(d));
}
