import protobuf from 'protobufjs/light.js';
import { pbtxtError, type Token } from './pbtxt-lexer.js';
import type { PbValue } from './pbtxt-value.js';

/** What scalarValue reads tokens through (pbtxt.ts's parser). */
export interface TokenSource {
  next(what: string): Token;
  peek(): Token | undefined;
  accept(symbol: string): boolean;
}

const INT32: [bigint, bigint] = [-(2n ** 31n), 2n ** 31n - 1n];
const UINT32: [bigint, bigint] = [0n, 2n ** 32n - 1n];
const INT64: [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];
const UINT64: [bigint, bigint] = [0n, 2n ** 64n - 1n];
const RANGES: Record<string, [bigint, bigint]> = {
  int32: INT32,
  sint32: INT32,
  sfixed32: INT32,
  uint32: UINT32,
  fixed32: UINT32,
  int64: INT64,
  sint64: INT64,
  sfixed64: INT64,
  uint64: UINT64,
  fixed64: UINT64,
};

/** An integer token's value: decimal, octal (leading 0) or hex (0x). */
function integer(text: string): bigint {
  return BigInt(/^0[0-7]+$/.test(text) ? `0o${text.slice(1)}` : text);
}

/** A number when it is exact as one (|n| <= 2^53 - 1), else the bigint: a uint64 keeps every digit. */
function exact(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** One scalar value of `field` (after its ':'), typed by the schema; adjacent strings concatenate. */
export function scalarValue(field: protobuf.Field, src: TokenSource): PbValue {
  const type = field.resolvedType instanceof protobuf.Enum ? `enum ${field.resolvedType.name}` : field.type;
  const negative = src.accept('-');
  const t = src.next(`a value for '${field.name}'`);
  const wrong = (expected: string): never => {
    throw pbtxtError(t, `'${field.name}' is ${type}: expected ${expected}, found '${negative ? '-' : ''}${t.text}'`);
  };
  if (type === 'string' || type === 'bytes') {
    if (negative || t.kind !== 'string') wrong('a quoted string');
    let value = t.text;
    while (src.peek()?.kind === 'string') value += src.next('a string').text;
    return value;
  }
  if (type === 'bool') {
    if (!negative && t.kind === 'ident' && /^(?:true|True|t)$/.test(t.text)) return true;
    if (!negative && t.kind === 'ident' && /^(?:false|False|f)$/.test(t.text)) return false;
    if (!negative && t.kind === 'int' && (t.text === '0' || t.text === '1')) return t.text === '1';
    return wrong('true or false');
  }
  if (field.resolvedType instanceof protobuf.Enum) {
    const values = field.resolvedType.values;
    if (!negative && t.kind === 'ident' && values[t.text] !== undefined) return t.text;
    if (t.kind !== 'int') return wrong(`one of ${Object.keys(values).join(', ')}`);
    const n = integer(t.text) * (negative ? -1n : 1n);
    if (n < INT32[0] || n > INT32[1]) return wrong('an enum number within int32');
    // proto3 enums are open: a number with no name is kept as the number
    return field.resolvedType.valuesById[Number(n)] ?? Number(n);
  }
  if (type === 'float' || type === 'double') {
    const sign = negative ? -1 : 1;
    if (t.kind === 'ident' && /^(?:inf|infinity)$/i.test(t.text)) return sign * Infinity;
    if (t.kind === 'ident' && /^nan$/i.test(t.text)) return NaN;
    if (t.kind === 'float') return sign * Number(t.text.replace(/[fF]$/, ''));
    if (t.kind === 'int') return sign * Number(integer(t.text));
    return wrong('a number');
  }
  const range = RANGES[type];
  if (!range) throw pbtxtError(t, `'${field.name}' has type ${type}, which tslim cannot read`);
  if (t.kind !== 'int') return wrong('an integer');
  if (negative && range[0] === 0n) return wrong('an unsigned integer');
  const n = integer(t.text) * (negative ? -1n : 1n);
  if (n < range[0] || n > range[1]) return wrong(`an integer from ${range[0]} to ${range[1]}`);
  return exact(n);
}
