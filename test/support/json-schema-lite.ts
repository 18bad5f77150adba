/**
 * The subset of JSON Schema 2020-12 that tslim's schemas use (type, const, enum, required,
 * properties, additionalProperties (a schema), items, minimum, local $ref), checked strictly: unknown keywords fail, so a schema
 * cannot silently grow past what this checks.
 */
type Schema = Record<string, unknown>;
const KNOWN = new Set([
  '$schema',
  '$id',
  '$defs',
  '$ref',
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'minimum',
]);

export function validate(value: unknown, schema: Schema, root: Schema = schema, path = '$'): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(schema))
    if (!KNOWN.has(key)) errors.push(`${path}: schema keyword '${key}' unsupported`);
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((s, k) => (s as Schema)[k], root);
    return validate(value, target as Schema, root, path);
  }
  if ('const' in schema && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  const type = schema.type;
  if (type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return [...errors, `${path}: not an object`];
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? [])
      if (!(key in obj)) errors.push(`${path}.${key}: missing`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, v] of Object.entries(obj)) {
      const sub = props[key] ?? (schema.additionalProperties as Schema | undefined);
      if (!sub) errors.push(`${path}.${key}: not in schema`);
      else errors.push(...validate(v, sub, root, `${path}.${key}`));
    }
  } else if (type === 'array') {
    if (!Array.isArray(value)) return [...errors, `${path}: not an array`];
    value.forEach((v, i) => errors.push(...validate(v, schema.items as Schema, root, `${path}[${i}]`)));
  } else if (type === 'integer' && !Number.isInteger(value)) errors.push(`${path}: not an integer`);
  else if (type === 'number' && typeof value !== 'number') errors.push(`${path}: not a number`);
  else if (type === 'string' && typeof value !== 'string') errors.push(`${path}: not a string`);
  else if (type === 'boolean' && typeof value !== 'boolean') errors.push(`${path}: not a boolean`);
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum)
    errors.push(`${path}: below ${schema.minimum}`);
  return errors;
}
