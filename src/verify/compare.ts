/** Float comparison of a model's output with the expected values: |got - want| <= abs + rel * |want|. */
export interface Tolerance {
  abs: number;
  rel: number;
}

export interface TensorComparison {
  name: string;
  ok: boolean;
  maxAbsError: number;
  /** The first element outside the tolerance (or a shape/size problem). */
  mismatch?: string;
}

export const DEFAULT_TOLERANCE: Tolerance = { abs: 1e-4, rel: 1e-6 };

export function compareTensor(
  name: string,
  got: { shape: readonly number[]; data: readonly unknown[] } | undefined,
  want: { shape: readonly number[]; data: readonly number[] },
  tolerance: Tolerance = DEFAULT_TOLERANCE,
): TensorComparison {
  if (!got)
    return { name, ok: false, maxAbsError: Number.POSITIVE_INFINITY, mismatch: 'output missing from the response' };
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
    return {
      name,
      ok: false,
      maxAbsError: Number.POSITIVE_INFINITY,
      mismatch: `shape [${got.shape.join(',')}], expected [${want.shape.join(',')}]`,
    };
  }
  const data = flatten(got.data);
  if (data.length !== want.data.length) {
    return {
      name,
      ok: false,
      maxAbsError: Number.POSITIVE_INFINITY,
      mismatch: `${data.length} values, expected ${want.data.length}`,
    };
  }
  let maxAbsError = 0;
  let mismatch: string | undefined;
  for (let i = 0; i < data.length; i += 1) {
    const g = data[i];
    const w = want.data[i]!;
    const err = typeof g === 'number' && Number.isFinite(g) ? Math.abs(g - w) : Number.POSITIVE_INFINITY;
    if (err > maxAbsError) maxAbsError = err;
    if (err > tolerance.abs + tolerance.rel * Math.abs(w) && mismatch === undefined) {
      mismatch = `element ${i}: got ${String(g)}, expected ${w}`;
    }
  }
  return mismatch === undefined ? { name, ok: true, maxAbsError } : { name, ok: false, maxAbsError, mismatch };
}

/** KServe v2 JSON allows row-major data flat or nested; compare it flat. */
export function flatten(data: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else out.push(v);
  };
  walk(data);
  return out;
}
