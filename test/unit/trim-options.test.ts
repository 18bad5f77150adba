import { afterEach, describe, expect, it } from 'vitest';
import { checkTrim } from '../../src/cli/compose-trim.js';
import { formatTrim } from '../../src/trim/trim-report.js';
import type { TrimOutcome } from '../../src/trim/trim-image.js';
import type { TrimPlan } from '../../src/trim/trim-plan.js';
import { CATEGORIES } from '../../src/trim/categories.js';

describe('--trim options', () => {
  const saved = process.env.SOURCE_DATE_EPOCH;
  afterEach(() => {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  });

  it('takes SOURCE_DATE_EPOCH for the trimmed image, an empty one as unset', () => {
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    expect(checkTrim({ trim: true }, false)).toMatchObject({ mode: 'apply', sourceDateEpoch: '1700000000' });
    process.env.SOURCE_DATE_EPOCH = '';
    expect(checkTrim({ trim: true }, false).sourceDateEpoch).toBeUndefined();
  });

  it('refuses a SOURCE_DATE_EPOCH that is not a number of seconds (exit 2), unless nothing is written', () => {
    process.env.SOURCE_DATE_EPOCH = '2024-01-01';
    expect(() => checkTrim({ trim: true }, false)).toThrow(/SOURCE_DATE_EPOCH=2024-01-01 is not a number of seconds/);
    expect(() => checkTrim({ trim: true }, false)).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(checkTrim({ trim: 'report' }, false).mode).toBe('report');
  });

  it('--keep needs --trim, and --trim a build', () => {
    expect(() => checkTrim({ keep: ['x'] }, false)).toThrow(/--keep goes with --trim/);
    expect(() => checkTrim({ trim: true }, true)).toThrow(/--trim needs a build/);
  });
});

describe('the trim report on -min layers', () => {
  const GB = 1e9;
  const plan = {
    remove: new Map(),
    removedBytes: 0,
    totalBytes: 0,
    byCategory: Object.fromEntries(CATEGORIES.map((c) => [c, { files: 0, bytes: 0 }])),
    byPackage: {},
    largest: [],
    dlopenKept: [],
    closure: { missing: [], driver: [], objects: 0, roots: 0, kept: 0 },
  } as unknown as TrimPlan;
  const layer = (from: string, diffId: string, bytes: number) => ({
    from,
    diffId,
    bytes,
    droppedEntries: from === diffId ? 0 : 1,
    droppedBytes: from === diffId ? 0 : 0.1 * GB,
  });
  const outcome = (layers: ReturnType<typeof layer>[]): TrimOutcome => ({
    plan,
    untrimmed: { id: 'u', bytes: 10 * GB },
    trimmed: { id: 't', bytes: 6 * GB, existed: false },
    layers,
    analysis: { ms: 0, streamedBytes: 0, files: 0, reread: 0 },
    base: { min: 'min:1', layers: 2 },
  });

  it('names the rewritten -min layers in what a node holding -min pulls, against the untrimmed image', () => {
    const text = formatTrim(outcome([layer('a', 'a', 1 * GB), layer('b', 'b2', 2 * GB), layer('c', 'c', 0.5 * GB)]));
    expect(text).toMatch(
      /pull by a node that holds -min \(uncompressed\): 2\.5 GB trimmed, 500 MB untrimmed; 2\.0 GB of it in 1 -min layers the trim rewrote/,
    );
  });

  it('with no -min layer rewritten, the compose layers are all such a node pulls', () => {
    const text = formatTrim(outcome([layer('a', 'a', 1 * GB), layer('b', 'b', 5 * GB), layer('c', 'c2', 0.4 * GB)]));
    expect(text).toMatch(/pull by a node that holds -min \(uncompressed\): 400 MB trimmed, 500 MB untrimmed\n/);
  });
});
