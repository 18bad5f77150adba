// 'MB'/'GB' are decimal and 'MiB'/'GiB' binary; a bare letter ('64m', '1g') is binary, as in
// `docker run --shm-size 64m`, so a value copied from a docker command means what docker means.
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  ki: 1024,
  kib: 1024,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
};

/** Parses '256MB', '8GB', '268435456', '1.5GiB', '64m' into bytes; undefined when malformed or negative. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const factor = UNITS[(m[2] ?? '').toLowerCase()];
  if (factor === undefined) return undefined;
  const value = Number(m[1]) * factor;
  return Number.isSafeInteger(Math.round(value)) ? Math.round(value) : undefined;
}

/** Human size with decimal units, as docker prints them. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = abs;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  const text = i === 0 ? `${v}` : v >= 100 ? v.toFixed(0) : v.toFixed(1);
  return `${bytes < 0 ? '-' : ''}${text} ${units[i]}`;
}
