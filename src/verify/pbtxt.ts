/**
 * Protobuf text format, as Triton's config.pbtxt uses it: messages, repeated fields (`x [a, b]` or the
 * field repeated), maps written as `{ key: .. value: .. }`. Every field is read as a list; the reader
 * knows no schema, which is all tslim needs to learn a model's inputs, outputs and ensemble steps.
 */
export type PbValue = string | number | boolean | PbMessage;
export type PbMessage = Record<string, PbValue[]>;

export class PbtxtError extends Error {}

const TOKEN = /\s*(?:#[^\n]*(?:\n|$)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([{}[\]:,<>;])|([^\s{}[\]:,<>;#"']+))/y;

type Token = ['str' | 'sym' | 'word', string];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m || TOKEN.lastIndex === at) {
      if (text.slice(at).trim() !== '') throw new PbtxtError(`unexpected character at offset ${at}`);
      break;
    }
    if (m[1] !== undefined) out.push(['str', m[1].slice(1, -1).replace(/\\(.)/g, '$1')]);
    else if (m[2] !== undefined) out.push(['sym', m[2]]);
    else if (m[3] !== undefined) out.push(['word', m[3]]);
  }
  return out;
}

function scalar([kind, v]: Token): PbValue {
  if (kind === 'str') return v;
  if (/^-?\d+$/.test(v)) return Number(v);
  if (/^-?\d*\.\d+(e-?\d+)?f?$/i.test(v)) return Number(v.replace(/f$/i, ''));
  if (v === 'true' || v === 'false') return v === 'true';
  return v;
}

export function parsePbtxt(text: string): PbMessage {
  const toks = tokenize(text);
  let pos = 0;
  const peek = (): Token => {
    const t = toks[pos];
    if (!t) throw new PbtxtError('unexpected end of the config');
    return t;
  };
  const isSym = (t: Token | undefined, s: string): boolean => t?.[0] === 'sym' && t[1] === s;
  const value = (): PbValue | PbValue[] => {
    const t = peek();
    if (isSym(t, '{') || isSym(t, '<')) {
      pos += 1;
      return message(t[1] === '{' ? '}' : '>');
    }
    if (isSym(t, '[')) {
      pos += 1;
      const items: PbValue[] = [];
      while (!isSym(peek(), ']')) {
        if (isSym(peek(), ',')) pos += 1;
        else items.push(value() as PbValue);
      }
      pos += 1;
      return items;
    }
    pos += 1;
    return scalar(t);
  };
  const message = (end: string | undefined): PbMessage => {
    const msg: PbMessage = {};
    while (pos < toks.length && !isSym(toks[pos], end ?? '')) {
      const [kind, key] = toks[pos]!;
      pos += 1;
      if (kind === 'sym') continue;
      if (isSym(peek(), ':')) pos += 1;
      const v = value();
      (msg[key] ??= []).push(...(Array.isArray(v) ? v : [v]));
    }
    if (end !== undefined && pos >= toks.length) throw new PbtxtError(`missing '${end}'`);
    pos += 1;
    return msg;
  };
  return message(undefined);
}

export function pbFirst(msg: PbMessage | undefined, key: string): PbValue | undefined {
  return msg?.[key]?.[0];
}

export function pbString(msg: PbMessage | undefined, key: string): string | undefined {
  const v = pbFirst(msg, key);
  return typeof v === 'string' ? v : undefined;
}

export function pbNumber(msg: PbMessage | undefined, key: string): number | undefined {
  const v = pbFirst(msg, key);
  return typeof v === 'number' ? v : undefined;
}

export function pbMessages(msg: PbMessage | undefined, key: string): PbMessage[] {
  return (msg?.[key] ?? []).filter((v): v is PbMessage => typeof v === 'object');
}
