/** `tslim compose` build wall time: cold (`--no-cache`) then warm (same inputs, layer cache on). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { World } from '../test/world/world-types.js';
import { log } from './lib/proc.js';
import { tslim, worldComposeFlags } from './lib/tools.js';

export interface ComposeBuild {
  backends: string[];
  output: string;
  coldS: number;
  warmS: number;
}

export async function benchComposeBuild(
  world: World,
  full: string,
  min: string,
  backends: string[],
  output: string,
): Promise<ComposeBuild> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tslim-bench-compose-'));
  const args = [
    'compose',
    '--skip-pull',
    '--image',
    `full=${full}`,
    '--image',
    `min=${min}`,
    ...backends.flatMap((b) => ['--backend', b]),
    '--output-name',
    output,
    '--work-dir',
    dir,
    ...worldComposeFlags(world),
    '-q',
  ];
  try {
    log(`compose ${output} (${backends.join(', ')}): cold`);
    const cold = await tslim([...args, '--no-cache'], { keepStdout: false });
    log(`compose cold ${cold.wallS.toFixed(1)} s; warm`);
    const warm = await tslim(args, { keepStdout: false });
    log(`compose warm ${warm.wallS.toFixed(1)} s`);
    return { backends, output, coldS: cold.wallS, warmS: warm.wallS };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
