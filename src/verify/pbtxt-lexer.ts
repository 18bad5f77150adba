/**
 * Tokens of protobuf's text format, as https://protobuf.dev/reference/protobuf/textformat-spec/
 * defines them: identifiers, quoted strings with C escapes, decimal/octal/hex integers, floats
 * (`1e5`, `.5`, `2.f`), symbols, and `#` comments. A `-` is a token of its own: the spec lets
 * whitespace and comments stand between it and its number.
 */
export class PbtxtError extends Error {}

export type TokenKind = 'ident' | 'string' | 'int' | 'float' | 'symbol';

export interface Token {
  kind: TokenKind;
  /** The source text; for a string, its decoded value. */
  text: string;
  line: number;
  column: number;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
// FLOAT_LIT with an optional F suffix, or DEC_LIT followed by F (the spec's FLOAT); tried before the integers
const FLOAT = /(?:(?:\.\d+|(?:0|[1-9]\d*)\.\d*)(?:[eE][+-]?\d+)?|(?:0|[1-9]\d*)[eE][+-]?\d+)[fF]?|(?:0|[1-9]\d*)[fF]/y;
const INT = /0[xX][0-9A-Fa-f]+|0[0-7]+|0|[1-9]\d*/y;
const SYMBOLS = '{}[]<>:;,-/.';
const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

export function pbtxtError(token: { line: number; column: number }, message: string): PbtxtError {
  return new PbtxtError(`line ${token.line}, column ${token.column}: ${message}`);
}

const utf8 = (codePoint: number): Buffer => Buffer.from(String.fromCodePoint(codePoint), 'utf8');

function sticky(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

/** The bytes of one escape (the text after its backslash) and how many characters it takes. */
function readEscape(after: string): [number[], number] | undefined {
  const e = after[0] ?? '';
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return [[simple], 1];
  if (e !== '' && '\\\'"?'.includes(e)) return [[e.charCodeAt(0)], 1];
  const oct = /^[0-7]{1,3}/.exec(after)?.[0];
  if (oct) return [[parseInt(oct, 8) & 0xff], oct.length];
  const hex = /^x([0-9A-Fa-f]{1,2})/.exec(after);
  if (hex) return [[parseInt(hex[1]!, 16)], hex[0].length];
  const uni = /^(?:u([0-9A-Fa-f]{4})|U(000[0-9A-Fa-f]{5}|0010[0-9A-Fa-f]{4}))/.exec(after);
  if (uni) return [[...utf8(parseInt(uni[1] ?? uni[2]!, 16))], uni[0].length];
  return undefined;
}

/** A quoted string's bytes (escapes may write any byte), decoded as UTF-8. */
function readString(text: string, start: number, where: { line: number; column: number }): [string, number] {
  const quote = text[start];
  const bytes: number[] = [];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) {
    const c = text[i]!;
    if (c === '\n') throw pbtxtError(where, 'a string ends at the end of its line without its closing quote');
    if (c !== '\\') {
      const cp = text.codePointAt(i)!;
      bytes.push(...utf8(cp));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const escape = readEscape(text.slice(i + 1, i + 11));
    if (!escape) throw pbtxtError(where, `unknown escape '\\${text[i + 1] ?? ''}' in a string`);
    bytes.push(...escape[0]);
    i += 1 + escape[1];
  }
  if (i >= text.length) throw pbtxtError(where, 'a string is missing its closing quote');
  return [Buffer.from(bytes).toString('utf8'), i + 1];
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line += 1;
      lineStart = i + 1;
      i += 1;
      continue;
    }
    if (' \t\r\v\f'.includes(c)) {
      i += 1;
      continue;
    }
    if (c === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      continue;
    }
    const where = { line, column: i - lineStart + 1 };
    const push = (kind: TokenKind, value: string, next: number): void => {
      out.push({ kind, text: value, ...where });
      i = next;
    };
    if (c === '"' || c === "'") {
      const [value, next] = readString(text, i, where);
      push('string', value, next);
      continue;
    }
    const word = sticky(IDENT, text, i);
    if (word !== undefined) {
      push('ident', word, i + word.length);
      continue;
    }
    const number = sticky(FLOAT, text, i) ?? sticky(INT, text, i);
    if (number !== undefined) {
      const end = i + number.length;
      // "1abc", "0x", "09" or "1.2.3" is no number and no identifier either
      if (/[A-Za-z0-9_.]/.test(text[end] ?? '')) throw pbtxtError(where, `'${text.slice(i, end + 1)}' is not a number`);
      push(/^0[xX]|^\d+$/.test(number) ? 'int' : 'float', number, end);
      continue;
    }
    if (SYMBOLS.includes(c)) {
      push('symbol', c, i + 1);
      continue;
    }
    throw pbtxtError(where, `unexpected character '${c}'`);
  }
  return out;
}
