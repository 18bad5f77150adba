const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** Squeezes a series to at most `width` points, keeping each bucket's maximum (a leak shows in maxima). */
export function downsample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let i = 0; i < width; i += 1) {
    const start = Math.floor((i * values.length) / width);
    const end = Math.floor(((i + 1) * values.length) / width);
    out.push(Math.max(...values.slice(start, Math.max(end, start + 1))));
  }
  return out;
}

/** A unicode sparkline; a flat series draws as a flat low line. */
export function sparkline(values: readonly number[], width = 60): string {
  const points = downsample(values, width);
  if (points.length === 0) return '';
  const min = Math.min(...points);
  const max = Math.max(...points);
  const span = max - min;
  return points
    .map((v) => BARS[span === 0 ? 0 : Math.min(BARS.length - 1, Math.floor(((v - min) / span) * BARS.length))])
    .join('');
}
