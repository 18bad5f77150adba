import type { WireTensor } from './infer-wire.js';
import { FLOAT_TYPES } from './tensor-codec.js';

/** --rtol/--atol: floats match when |a - b| <= atol + rtol * |b| (b: the full image's value). */
export interface AbTolerance {
  rtol: number;
  atol: number;
}

export const DEFAULT_AB_TOLERANCE: AbTolerance = { rtol: 1e-5, atol: 1e-6 };

export interface OutputDiff {
  output: string;
  equal: boolean;
  /** exact for integer, BOOL and BYTES outputs; tolerance for floats */
  rule: 'exact' | 'tolerance';
  maxAbsDiff: number;
  maxRelDiff: number;
  /** The first difference, said plainly. */
  mismatch?: string;
}

/** Compares one output of the slim image (a) with the full image's (b). */
export function diffOutput(a: WireTensor | undefined, b: WireTensor, tol: AbTolerance): OutputDiff {
  const rule = FLOAT_TYPES.has(b.datatype) ? 'tolerance' : 'exact';
  const base = { output: b.name, rule } as const;
  const inf = Number.POSITIVE_INFINITY;
  if (!a)
    return {
      ...base,
      equal: false,
      maxAbsDiff: inf,
      maxRelDiff: inf,
      mismatch: "missing from the slim image's answer",
    };
  if (a.datatype !== b.datatype || a.shape.join(',') !== b.shape.join(',')) {
    return {
      ...base,
      equal: false,
      maxAbsDiff: inf,
      maxRelDiff: inf,
      mismatch: `${a.datatype}[${a.shape.join(',')}] vs ${b.datatype}[${b.shape.join(',')}]`,
    };
  }
  let maxAbsDiff = 0;
  let maxRelDiff = 0;
  let mismatch: string | undefined;
  b.values.forEach((want, i) => {
    const got = a.values[i];
    if (rule === 'exact') {
      if (String(got) !== String(want)) {
        const d = typeof got === 'number' && typeof want === 'number' ? Math.abs(got - want) : inf;
        maxAbsDiff = Math.max(maxAbsDiff, d);
        maxRelDiff = Math.max(maxRelDiff, d === inf ? inf : d / Math.max(Math.abs(Number(want)), Number.MIN_VALUE));
        mismatch ??= `element ${i}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`;
      }
      return;
    }
    const g = Number(got);
    const w = Number(want);
    const d = Number.isNaN(g) && Number.isNaN(w) ? 0 : Math.abs(g - w);
    const diff = Number.isNaN(d) ? inf : d;
    maxAbsDiff = Math.max(maxAbsDiff, diff);
    maxRelDiff = Math.max(maxRelDiff, w === 0 ? (diff === 0 ? 0 : inf) : diff / Math.abs(w));
    if (diff > tol.atol + tol.rtol * Math.abs(w)) mismatch ??= `element ${i}: ${g} vs ${w}`;
  });
  return { ...base, equal: mismatch === undefined, maxAbsDiff, maxRelDiff, ...(mismatch ? { mismatch } : {}) };
}
