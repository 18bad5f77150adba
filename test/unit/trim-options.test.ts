import { afterEach, describe, expect, it } from 'vitest';
import { checkTrim } from '../../src/cli/compose-trim.js';

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
