import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TslimError } from '../../src/core/errors.js';
import { parsePbtxt, PbtxtError } from '../../src/verify/pbtxt.js';
import { scanRepositories } from '../../src/verify/user-repository.js';

// config.pbtxt held to protobuf's text format (protobuf.dev/reference/protobuf/textformat-spec) with
// Triton's model_config.proto as the schema: what Triton's parser accepts comes back typed, what it
// refuses is a PbtxtError naming line, column and value.
const refused = (text: string): string => {
  try {
    parsePbtxt(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PbtxtError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${text}`);
};

describe('config.pbtxt numbers, read by the schema', () => {
  it('reads hex, octal, exponents, a separated minus and the F suffix by field type', () => {
    const c = parsePbtxt(`
      max_batch_size: 0x10
      input [{ name: "x" data_type: TYPE_FP32 dims: [ -1, - 3, 017 ] }]
      sequence_batching { control_input [{ name: "s" control [{ kind: CONTROL_SEQUENCE_START fp32_false_true: [ 1e5, -2.5f, .5, 0, -inf ] }] }] }
    `);
    expect(c.max_batch_size).toEqual([16]);
    expect(c.input).toEqual([{ name: ['x'], data_type: ['TYPE_FP32'], dims: [-1, -3, 15] }]);
    const control = (c.sequence_batching?.[0] as Record<string, unknown[]>).control_input?.[0] as Record<
      string,
      Record<string, unknown[]>[]
    >;
    expect(control.control?.[0]?.fp32_false_true).toEqual([100000, -2.5, 0.5, 0, -Infinity]);
  });

  it('keeps every digit of a uint64 beyond 2^53 (a bigint) and a small one as a number', () => {
    const c = parsePbtxt(
      'dynamic_batching { max_queue_delay_microseconds: 18446744073709551615 priority_levels: 9007199254740993 default_priority_level: 3 }',
    );
    expect(c.dynamic_batching).toEqual([
      {
        max_queue_delay_microseconds: [18446744073709551615n],
        priority_levels: [9007199254740993n],
        default_priority_level: [3],
      },
    ]);
  });

  it('refuses a float, an out-of-range value or a sign where the type has none', () => {
    expect(refused('max_batch_size: 1e5')).toBe(
      "line 1, column 17: 'max_batch_size' is int32: expected an integer, found '1e5'",
    );
    expect(refused('max_batch_size: 2147483648')).toContain('expected an integer from -2147483648 to 2147483647');
    expect(refused('dynamic_batching { max_queue_delay_microseconds: -1 }')).toContain(
      "is uint64: expected an unsigned integer, found '-1'",
    );
    expect(refused('dynamic_batching { priority_levels: 18446744073709551616 }')).toContain('to 18446744073709551615');
    expect(refused('max_batch_size: 0x')).toContain("'0x' is not a number");
    expect(refused('max_batch_size: 08')).toContain("'08' is not a number");
    expect(refused('name: 5')).toContain("'name' is string: expected a quoted string, found '5'");
  });
});

describe('config.pbtxt structure, read by the schema', () => {
  it('reads strings with escapes and concatenation, enums, bools, maps and both list forms', () => {
    const c = parsePbtxt(`# a comment
      name: "a" 'b'  # adjacent strings are one
      backend: "\\x41\\101\\u00e9\\n";
      instance_group { count: 2 kind: KIND_GPU gpus: [0, 1] }, instance_group [{ kind: 2 }]
      parameters { key: "k" value: { string_value: "v" } }
      parameters [ < key: "k2" value < string_value: "" > > ]
      response_cache { enable: t }
    `);
    expect(c).toEqual({
      name: ['ab'],
      backend: ['AAé\n'],
      instance_group: [{ count: [2], kind: ['KIND_GPU'], gpus: [0, 1] }, { kind: ['KIND_CPU'] }],
      parameters: [
        { key: ['k'], value: [{ string_value: ['v'] }] },
        { key: ['k2'], value: [{ string_value: [''] }] },
      ],
      response_cache: [{ enable: [true] }],
    });
    expect(parsePbtxt('')).toEqual({});
  });

  it('refuses what Triton refuses: unknown fields, repeats, two of a oneof, lists for a single value', () => {
    expect(refused('name: "m"\nbatch_size: 4')).toMatch(
      /^line 2, column 1: ModelConfig has no field 'batch_size' \(it has: name, /,
    );
    expect(refused('name: "a" name: "b"')).toBe("line 1, column 11: 'name' is given twice");
    expect(refused('version_policy { latest { num_versions: 1 } all {} }')).toContain(
      "'all' and 'latest' are both given, but only one of policy_choice may be",
    );
    expect(refused('name: ["a"]')).toContain("'name' is not repeated");
    expect(refused('name "a"')).toContain("expected ':', found 'a'");
    expect(refused('input [{ data_type: TYPE_NOPE }]')).toContain('expected one of TYPE_INVALID, TYPE_BOOL');
    expect(refused('[ext.field]: 1')).toContain('extensions and Any');
    expect(refused('input { name: "x"')).toContain("the config ends where a field of ModelInput or '}' was expected");
    expect(refused('name: "abc')).toContain('a string is missing its closing quote');
    expect(refused('name: "\\q"')).toContain("unknown escape '\\q'");
    expect(refused('name: "a" ~')).toContain("unexpected character '~'");
  });

  it('refuses a config nested 20,000 levels deep as bad input, not with a RangeError', () => {
    expect(refused('{'.repeat(20_000))).toContain("line 1, column 1: expected a field name of ModelConfig, found '{'");
    expect(refused(`optimization ${'{ cuda '.repeat(20_000)}`)).toContain(
      "line 1, column 23: ModelOptimizationPolicy.Cuda has no field 'cuda'",
    );
  });
});

describe('scanRepositories: a config.pbtxt Triton would refuse is a usage error (exit 2)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tslim-pbtxt-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['deep', `optimization ${'{ '.repeat(20_000)}`, 'expected a field name of ModelOptimizationPolicy'],
    ['float', 'max_batch_size: 1e5', "'max_batch_size' is int32: expected an integer, found '1e5'"],
  ])('%s', async (name, text, message) => {
    const repo = join(dir, name);
    await mkdir(join(repo, 'm', '1'), { recursive: true });
    await writeFile(join(repo, 'm', 'config.pbtxt'), text);
    const error = await scanRepositories([repo]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TslimError);
    expect(error).toMatchObject({ code: 'USAGE', exitCode: 2 });
    expect((error as Error).message).toContain(join(repo, 'm', 'config.pbtxt'));
    expect((error as Error).message).toContain(message);
  });
});
