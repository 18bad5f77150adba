import { TslimError } from '../core/errors.js';

/** One monthly Triton container release, as docs/upstream-facts.md records it. */
export interface Release {
  /** NGC container version, YY.MM. */
  container: string;
  /** Triton server version (TRITON_SERVER_VERSION). */
  triton: string;
  /** DCGM version the full image carries (build.py's map). */
  dcgm: string;
  /** vLLM version build.py pins for the vllm backend, where it installs one. */
  vllm?: string;
  os: { id: 'ubuntu'; versionId: '22.04' | '24.04' };
  cudaMajor: 12 | 13;
  python: '3.10' | '3.12';
}

const DCGM: readonly [string, string][] = [
  ['2.34.0', '2.4.7'],
  ['2.40.0', '3.2.6'],
  ['2.52.0', '3.3.6'],
  ['2.60.0', '4.4.0-1'],
  ['2.64.0', '4.4.2-1'],
  ['2.66.0', '4.5.2-1'],
  ['2.68.0', '4.5.3-1'],
];

const VLLM: Readonly<Record<string, string>> = {
  '2.39': '0.2.0',
  '2.40': '0.2.1.post1',
  '2.41': '0.2.3',
  '2.42': '0.2.3',
  '2.43': '0.3.0',
  '2.44': '0.3.0',
  '2.45': '0.4.0.post1',
  '2.46': '0.4.0.post1',
  '2.47': '0.4.3',
  '2.48': '0.5.0.post1',
  '2.49': '0.5.3.post1',
  '2.50': '0.5.3.post1',
  '2.51': '0.5.5',
  '2.52': '0.5.5',
  '2.53': '0.5.5',
  '2.54': '0.6.3.post1',
  '2.55': '0.7.0',
  '2.56': '0.7.3',
  '2.57': '0.8.1',
  '2.58': '0.8.4',
  '2.59': '0.9.0.1',
  '2.60': '0.9.2',
  '2.61': '0.10.1.1',
  '2.62': '0.10.2',
  '2.63': '0.11.0',
  '2.64': '0.11.1',
  '2.65': '0.13.0',
  '2.66': '0.15.1',
};

function cmp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function makeRelease(container: string, triton: string): Release {
  const dcgm = DCGM.filter(([from]) => cmp(triton, from) >= 0).at(-1)?.[1] ?? '2.4.7';
  const noble = cmp(triton, '2.52.0') >= 0;
  const vllm = VLLM[triton.split('.').slice(0, 2).join('.')];
  return {
    container,
    triton,
    dcgm,
    ...(vllm ? { vllm } : {}),
    os: { id: 'ubuntu', versionId: noble ? '24.04' : '22.04' },
    cudaMajor: cmp(triton, '2.60.0') >= 0 ? 13 : 12,
    python: noble ? '3.12' : '3.10',
  };
}

/** 23.05 = 2.34.0, one minor per month, except 25.07 which shipped 2.59.1 (tag v2.59.1). */
function buildTable(): Release[] {
  const out: Release[] = [];
  let minor = 34;
  for (let year = 23, month = 5; year < 26 || (year === 26 && month <= 7);) {
    const container = `${year}.${String(month).padStart(2, '0')}`;
    if (container === '25.07') out.push(makeRelease(container, '2.59.1'));
    else out.push(makeRelease(container, `2.${minor++}.0`));
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
  return out;
}

export const RELEASES: readonly Release[] = buildTable();
export const FIRST_RELEASE = RELEASES[0]!;
export const LAST_RELEASE = RELEASES[RELEASES.length - 1]!;
export const SUPPORTED_RANGE = `${FIRST_RELEASE.container}–${LAST_RELEASE.container} (Triton ${FIRST_RELEASE.triton}–${LAST_RELEASE.triton})`;

export function findRelease(container: string): Release | undefined {
  return RELEASES.find((r) => r.container === container);
}

export function findReleaseByTriton(triton: string): Release | undefined {
  return RELEASES.find((r) => r.triton === triton);
}

/** The release for a container version, or a usage error naming the supported range. */
export function requireRelease(container: string): Release {
  const release = findRelease(container);
  if (release) return release;
  throw new TslimError('BAD_RELEASE', `unknown container version '${container}'; tslim knows ${SUPPORTED_RANGE}`, {
    hint: 'pick a version in that range, or name the images yourself with --image full=REF --image min=REF',
  });
}

export { cmp as compareVersions };
