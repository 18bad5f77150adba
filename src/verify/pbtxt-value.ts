/**
 * A config.pbtxt as read (pbtxt.ts), and its accessors (a module of their own: pbtxt.ts loads protobufjs): every field a list; enums as their value names; 64-bit integers
 * beyond 2^53 as bigint; a map as its entries, `{ key: [k], value: [v] }`.
 */
export type PbValue = string | number | bigint | boolean | PbMessage;
export type PbMessage = Record<string, PbValue[]>;

export function pbFirst(msg: PbMessage | undefined, key: string): PbValue | undefined {
  return msg?.[key]?.[0];
}

export function pbString(msg: PbMessage | undefined, key: string): string | undefined {
  const v = pbFirst(msg, key);
  return typeof v === 'string' ? v : undefined;
}

/** A number field's value; undefined for a 64-bit value beyond 2^53 (a bigint: use pbFirst). */
export function pbNumber(msg: PbMessage | undefined, key: string): number | undefined {
  const v = pbFirst(msg, key);
  return typeof v === 'number' ? v : undefined;
}

export function pbMessages(msg: PbMessage | undefined, key: string): PbMessage[] {
  return (msg?.[key] ?? []).filter((v): v is PbMessage => typeof v === 'object' && v !== null);
}
