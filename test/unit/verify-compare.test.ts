import { describe, expect, it } from 'vitest';
import { compareTensor } from '../../src/verify/compare.js';
import { downsample, sparkline } from '../../src/verify/chart.js';
import { judgeSoak, soakTensors } from '../../src/verify/soak.js';

const want = { shape: [1, 4], data: [0.3, 1.75, 1.25, 1000.001] };
const tol = { abs: 1e-4, rel: 1e-6 };

describe('compareTensor', () => {
  it('accepts FP32 results within the tolerance (flat or nested data)', () => {
    const fp32 = [0.30000001192092896, 1.75, 1.25, 1000.0009765625];
    expect(compareTensor('OUTPUT0', { shape: [1, 4], data: fp32 }, want, tol)).toMatchObject({ ok: true });
    const nested = compareTensor('OUTPUT0', { shape: [1, 4], data: [fp32] }, want, tol);
    expect(nested.ok).toBe(true);
    expect(nested.maxAbsError).toBeCloseTo(2.34e-5, 6);
  });
  it('names the first element outside the tolerance', () => {
    const r = compareTensor('OUTPUT1', { shape: [1, 4], data: [0.3, 1.75, 1.5, 1000.001] }, want, tol);
    expect(r).toMatchObject({ ok: false, mismatch: 'element 2: got 1.5, expected 1.25' });
    expect(r.maxAbsError).toBeCloseTo(0.25);
  });
  it('fails on shape, size, missing outputs and non-numbers', () => {
    expect(compareTensor('O', { shape: [4], data: [0.3, 1.75, 1.25, 1000.001] }, want, tol).mismatch).toBe(
      'shape [4], expected [1,4]',
    );
    expect(compareTensor('O', { shape: [1, 4], data: [1, 2, 3] }, want, tol).mismatch).toBe('3 values, expected 4');
    expect(compareTensor('O', undefined, want, tol)).toMatchObject({
      ok: false,
      mismatch: 'output missing from the response',
    });
    expect(compareTensor('O', { shape: [1, 4], data: ['a', 1.75, 1.25, 1000.001] }, want, tol).ok).toBe(false);
  });
});

describe('soak judgement', () => {
  const MiB = 2 ** 20;
  it('passes growth during warm-up followed by a flat line', () => {
    const series = [320, 384, 448, 448, 448, 448, 448, 448].map((m) => m * MiB);
    expect(judgeSoak(series, 4, 64 * MiB)).toMatchObject({ ok: true, growthBytes: 0, baselineBytes: 448 * MiB });
  });
  it('fails memory that keeps growing after warm-up past the threshold', () => {
    const series = Array.from({ length: 40 }, (_, i) => (256 + 23 * i) * MiB);
    const j = judgeSoak(series, 4, 64 * MiB);
    expect(j.ok).toBe(false);
    expect(j.growthBytes).toBe(23 * 36 * MiB);
    expect(judgeSoak(series, 4, 1024 * MiB).ok).toBe(true);
  });
  it('builds [batch, 4] add/sub tensors for any batch size', () => {
    const t = soakTensors(7);
    expect(t.inputs.map((i) => i.shape)).toEqual([
      [7, 4],
      [7, 4],
    ]);
    expect(t.inputs[0]?.data).toHaveLength(28);
    expect(t.expected.OUTPUT0?.data[5]).toBe((t.inputs[0]?.data[5] ?? 0) + (t.inputs[1]?.data[5] ?? 0));
    expect(t.expected.OUTPUT1?.data[5]).toBe((t.inputs[0]?.data[5] ?? 0) - (t.inputs[1]?.data[5] ?? 0));
  });
});

describe('sparkline', () => {
  it('draws low to high and a flat series flat', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, 5, 5])).toBe('▁▁▁');
    expect(sparkline([])).toBe('');
  });
  it('keeps bucket maxima when squeezing a long series', () => {
    expect(downsample([1, 9, 1, 1, 1, 1], 3)).toEqual([9, 1, 1]);
    expect(
      sparkline(
        Array.from({ length: 500 }, (_, i) => i),
        60,
      ),
    ).toHaveLength(60);
  });
});
