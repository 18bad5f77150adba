/**
 * `tslim compose` build wall time with the classic builder and with BuildKit, cold (`--no-cache`)
 * and warm (same inputs, layer cache on), on one world. Rounds alternate the builders so drift hits
 * both alike. Used by bench/buildkit.ts and bench/run.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { World } from '../../test/world/world-types.js';
import { log } from './proc.js';
import { removeImages, tslim, worldComposeFlags } from './tools.js';

const BUILDERS = ['classic', 'buildkit'] as const;
type Builder = (typeof BUILDERS)[number];

export interface BuilderTimes {
  rounds: number;
  /** The world's payload scale. */
  scale: number;
  backends: string[];
  coldS: Record<Builder, number[]>;
  warmS: Record<Builder, number[]>;
}

export async function benchBuildKit(
  world: World,
  release: string,
  backends: string[],
  rounds: number,
): Promise<BuilderTimes> {
  const rel = world.releases[release];
  if (!rel) throw new Error(`the world has no release ${release}`);
  const dir = await mkdtemp(path.join(tmpdir(), 'tslim-bench-buildkit-'));
  const output = (b: Builder): string => `tslim-bench/buildkit-${b}:${process.pid}`;
  const args = (b: Builder): string[] => [
    'compose',
    '--skip-pull',
    '--image',
    `full=${rel.full}`,
    '--image',
    `min=${rel.min}`,
    ...backends.flatMap((name) => ['--backend', name]),
    '--builder',
    b,
    '--output-name',
    output(b),
    '--work-dir',
    dir,
    ...worldComposeFlags(world),
    '-q',
  ];
  const times: BuilderTimes = {
    rounds,
    scale: world.scale,
    backends,
    coldS: { classic: [], buildkit: [] },
    warmS: { classic: [], buildkit: [] },
  };
  try {
    for (let round = 1; round <= rounds; round += 1) {
      const order = round % 2 === 1 ? BUILDERS : [...BUILDERS].reverse();
      for (const b of order) {
        const cold = await tslim([...args(b), '--no-cache'], { keepStdout: false });
        const warm = await tslim(args(b), { keepStdout: false });
        times.coldS[b].push(cold.wallS);
        times.warmS[b].push(warm.wallS);
        log(`round ${round} ${b}: cold ${cold.wallS.toFixed(2)} s, warm ${warm.wallS.toFixed(2)} s`);
      }
    }
    return times;
  } finally {
    await removeImages(BUILDERS.map(output));
    await rm(dir, { recursive: true, force: true });
  }
}
