import protobuf from 'protobufjs/light.js';
import { MODEL_CONFIG_DESCRIPTOR } from './model-config-descriptor.js';
import { PbtxtError, pbtxtError, tokenize, type Token } from './pbtxt-lexer.js';
import { scalarValue } from './pbtxt-scalar.js';
import type { PbMessage } from './pbtxt-value.js';

/**
 * config.pbtxt read as Triton reads it: protobuf text format (protobuf.dev textformat-spec) with
 * Triton's model_config.proto (inference.ModelConfig) as the schema. An unknown field, a value of the
 * wrong type or out of its type's range, a second value for a field that is not repeated, or two
 * members of one oneof is an error naming the line and column, as Triton's own parser refuses them.
 * The values' shape: pbtxt-value.ts.
 */
export { PbtxtError };
export type { PbMessage };

/** Far deeper than model_config.proto nests; the default recursion limit of protobuf's binary parser. */
export const MAX_DEPTH = 100;

let modelConfig: protobuf.Type | undefined;

function schema(): protobuf.Type {
  if (!modelConfig) {
    const root = protobuf.Root.fromJSON(MODEL_CONFIG_DESCRIPTOR);
    declareMapEntries(root);
    root.resolveAll();
    modelConfig = root.lookupType('inference.ModelConfig');
  }
  return modelConfig;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  peek(): Token | undefined {
    return this.toks[this.pos];
  }

  next(what: string): Token {
    const t = this.toks[this.pos];
    if (!t) {
      const last = this.toks[this.toks.length - 1];
      throw new PbtxtError(`${last ? `line ${last.line}: ` : ''}the config ends where ${what} was expected`);
    }
    this.pos += 1;
    return t;
  }

  accept(symbol: string): boolean {
    const t = this.peek();
    if (t?.kind !== 'symbol' || t.text !== symbol) return false;
    this.pos += 1;
    return true;
  }

  expect(symbol: string): void {
    const t = this.next(`'${symbol}'`);
    if (t.kind !== 'symbol' || t.text !== symbol) throw pbtxtError(t, `expected '${symbol}', found '${t.text}'`);
  }

  /** Fields until `end` (a closing '}' or '>'), or to the end of the text for the top-level message. */
  message(type: protobuf.Type, end: string | undefined, depth: number): PbMessage {
    const open = this.toks[this.pos - 1];
    if (depth > MAX_DEPTH) throw pbtxtError(open!, `messages nest deeper than ${MAX_DEPTH} levels`);
    const msg: PbMessage = {};
    const oneofs = new Map<string, string>();
    for (;;) {
      if (end === undefined ? this.peek() === undefined : this.accept(end)) return msg;
      const name = this.next(`a field of ${typeName(type)} or '${end}'`);
      if (name.kind !== 'ident') {
        const extension = name.kind === 'symbol' && name.text === '[';
        throw pbtxtError(
          name,
          extension
            ? `extensions and Any ('[...]') are not part of Triton's model configuration`
            : `expected a field name of ${typeName(type)}, found '${name.text}'`,
        );
      }
      const field = type.fields[name.text];
      if (!field) {
        const known = Object.keys(type.fields).join(', ');
        throw pbtxtError(name, `${typeName(type)} has no field '${name.text}' (it has: ${known})`);
      }
      if (!field.repeated && !field.map && msg[name.text]) throw pbtxtError(name, `'${name.text}' is given twice`);
      const oneof = field.partOf?.name;
      const rival = oneof ? oneofs.get(oneof) : undefined;
      if (oneof && rival !== undefined && rival !== name.text)
        throw pbtxtError(name, `'${name.text}' and '${rival}' are both given, but only one of ${oneof} may be`);
      if (oneof) oneofs.set(oneof, name.text);
      const values = (msg[name.text] ??= []);
      const entry = field instanceof protobuf.MapField ? entries.get(field) : undefined;
      const nested = entry ?? (field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined);
      if (nested) {
        this.accept(':');
        const one = (): PbMessage => {
          const t = this.next(`'{' to open ${name.text}`);
          if (t.kind !== 'symbol' || (t.text !== '{' && t.text !== '<'))
            throw pbtxtError(t, `expected '{' to open ${name.text}, found '${t.text}'`);
          return this.message(nested, t.text === '{' ? '}' : '>', depth + 1);
        };
        this.list(field.repeated || field.map, name.text, () => values.push(one()));
      } else {
        this.expect(':');
        this.list(field.repeated, name.text, () => values.push(scalarValue(field, this)));
      }
      if (!this.accept(';')) this.accept(',');
    }
  }

  /** `[a, b]` where the field is repeated, else a single value. */
  private list(repeated: boolean, name: string, item: () => void): void {
    const t = this.peek();
    if (t?.kind !== 'symbol' || t.text !== '[') return item();
    if (!repeated) throw pbtxtError(t, `'${name}' is not repeated: a list ('[...]') cannot stand for it`);
    this.pos += 1;
    if (this.accept(']')) return;
    do item();
    while (this.accept(','));
    this.expect(']');
  }
}

/** The message's name as model_config.proto spells it (ModelOptimizationPolicy.Cuda). */
const typeName = (type: protobuf.Type): string => type.fullName.replace(/^\.inference\./, '');

const entries = new Map<protobuf.MapField, protobuf.Type>();

/** Declares each map field's entry message as the text format writes it, `{ key: K value: V }`. */
function declareMapEntries(ns: protobuf.NamespaceBase): void {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Namespace) declareMapEntries(nested);
    if (!(nested instanceof protobuf.Type)) continue;
    for (const field of nested.fieldsArray) {
      if (!(field instanceof protobuf.MapField)) continue;
      const entry = new protobuf.Type(`${field.name}_entry`)
        .add(new protobuf.Field('key', 1, field.keyType))
        .add(new protobuf.Field('value', 2, field.type));
      nested.add(entry);
      entries.set(field, entry);
    }
  }
}

/** Parses a config.pbtxt; throws PbtxtError (line, column, what) for anything Triton would refuse. */
export function parsePbtxt(text: string): PbMessage {
  return new Parser(tokenize(text)).message(schema(), undefined, 0);
}
