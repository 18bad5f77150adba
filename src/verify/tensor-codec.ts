/**
 * KServe v2 tensor values in both encodings: JSON `data`, and the binary tensor data extension
 * (little-endian, row-major; BYTES as 4-byte length + bytes per element). FP16 and BF16 have no JSON
 * form in Triton, so they always travel binary. Values in memory: numbers, booleans, strings
 * (BYTES, as UTF-8 text; INT64/UINT64 beyond 2^53 as decimal strings so nothing is rounded).
 */
export type TensorValue = number | boolean | string;

export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'BF16',
  'FP32',
  'FP64',
  'BYTES',
] as const;
export type Datatype = (typeof DATATYPES)[number];

export function isDatatype(text: string): text is Datatype {
  return (DATATYPES as readonly string[]).includes(text);
}

export const FLOAT_TYPES: ReadonlySet<string> = new Set(['FP16', 'BF16', 'FP32', 'FP64']);
export const BINARY_ONLY: ReadonlySet<string> = new Set(['FP16', 'BF16']);

const WIDTH: Record<Exclude<Datatype, 'BYTES'>, number> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  BF16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

/** IEEE 754 half from a double, round to nearest even. */
export function toHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant = (mant | 0x800000) >>> (1 - e);
    return sign | ((mant + 0xfff + ((mant >>> 13) & 1)) >>> 13);
  }
  const rounded = mant + 0xfff + ((mant >>> 13) & 1);
  if (rounded & 0x800000) {
    mant = 0;
    e += 1;
    if (e >= 0x1f) return sign | 0x7c00;
  } else mant = rounded;
  return sign | (e << 10) | (mant >>> 13);
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

function bigToValue(v: bigint): TensorValue {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

export function encodeBinary(datatype: Datatype, values: readonly TensorValue[]): Buffer {
  if (datatype === 'BYTES') {
    return Buffer.concat(
      values.map((v) => {
        const b = Buffer.from(String(v), 'utf8');
        const len = Buffer.alloc(4);
        len.writeUInt32LE(b.length);
        return Buffer.concat([len, b]);
      }),
    );
  }
  const w = WIDTH[datatype];
  const out = Buffer.alloc(values.length * w);
  values.forEach((v, i) => {
    const o = i * w;
    const n = typeof v === 'boolean' ? Number(v) : typeof v === 'string' ? Number(v) : v;
    switch (datatype) {
      case 'BOOL':
        return out.writeUInt8(v ? 1 : 0, o);
      case 'UINT8':
        return out.writeUInt8(n, o);
      case 'INT8':
        return out.writeInt8(n, o);
      case 'UINT16':
        return out.writeUInt16LE(n, o);
      case 'INT16':
        return out.writeInt16LE(n, o);
      case 'FP16':
        return out.writeUInt16LE(toHalf(n), o);
      case 'BF16':
        return out.writeUInt16LE(new Uint32Array(new Float32Array([n]).buffer)[0]! >>> 16, o);
      case 'UINT32':
        return out.writeUInt32LE(n, o);
      case 'INT32':
        return out.writeInt32LE(n, o);
      case 'FP32':
        return out.writeFloatLE(n, o);
      case 'UINT64':
        return out.writeBigUInt64LE(BigInt(v), o);
      case 'INT64':
        return out.writeBigInt64LE(BigInt(v), o);
      case 'FP64':
        return out.writeDoubleLE(n, o);
    }
  });
  return out;
}

export function decodeBinary(datatype: Datatype, raw: Buffer): TensorValue[] {
  if (datatype === 'BYTES') {
    const out: string[] = [];
    for (let pos = 0; pos < raw.length;) {
      if (pos + 4 > raw.length) throw new Error('BYTES tensor data ends inside a length prefix');
      const n = raw.readUInt32LE(pos);
      out.push(raw.subarray(pos + 4, pos + 4 + n).toString('utf8'));
      pos += 4 + n;
    }
    return out;
  }
  const w = WIDTH[datatype];
  if (raw.length % w !== 0) throw new Error(`${raw.length} bytes are not a whole number of ${datatype} elements`);
  const out: TensorValue[] = [];
  for (let o = 0; o < raw.length; o += w) {
    switch (datatype) {
      case 'BOOL':
        out.push(raw.readUInt8(o) !== 0);
        break;
      case 'UINT8':
        out.push(raw.readUInt8(o));
        break;
      case 'INT8':
        out.push(raw.readInt8(o));
        break;
      case 'UINT16':
        out.push(raw.readUInt16LE(o));
        break;
      case 'INT16':
        out.push(raw.readInt16LE(o));
        break;
      case 'FP16':
        out.push(fromHalf(raw.readUInt16LE(o)));
        break;
      case 'BF16':
        out.push(new Float32Array(new Uint32Array([raw.readUInt16LE(o) << 16]).buffer)[0]!);
        break;
      case 'UINT32':
        out.push(raw.readUInt32LE(o));
        break;
      case 'INT32':
        out.push(raw.readInt32LE(o));
        break;
      case 'FP32':
        out.push(raw.readFloatLE(o));
        break;
      case 'UINT64':
        out.push(bigToValue(raw.readBigUInt64LE(o)));
        break;
      case 'INT64':
        out.push(bigToValue(raw.readBigInt64LE(o)));
        break;
      case 'FP64':
        out.push(raw.readDoubleLE(o));
        break;
    }
  }
  return out;
}
