/** World build time, cold (the named world's fixture images removed first) and warm (nothing changed). */
import path from 'node:path';
import type { World } from '../test/world/world-types.js';
import { log, run } from './lib/proc.js';
import { docker, removeImages, repoRoot } from './lib/tools.js';

export interface WorldBuild {
  name: string;
  scale: number;
  coldS?: number;
  warmS: number;
  world: World;
}

const viteNode = path.join(repoRoot, 'node_modules', '.bin', 'vite-node');

async function up(name: string, scale: number): Promise<{ wallS: number; world: World }> {
  // Without pushing: the bench never pulls its fixtures, and pushing 4 multi-GB images would dominate the run.
  const r = await run(viteNode, [
    path.join(repoRoot, 'test/world/cli.ts'),
    '--',
    'up',
    '--name',
    name,
    '--scale',
    String(scale),
    '--skip-push',
  ]);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { wallS: r.wallS, world: JSON.parse(line) as World };
}

export async function worldImages(name: string): Promise<string[]> {
  const out = await docker(['images', '--format', '{{.Repository}}:{{.Tag}}', `tslim-fixture-${name}/tritonserver`]);
  return out.stdout.split('\n').filter(Boolean);
}

/** `cold`: remove this world's images, then build; always followed by a warm run. */
export async function buildWorld(name: string, scale: number, cold: boolean): Promise<WorldBuild> {
  let coldS: number | undefined;
  if (cold) {
    // Full images first (children), so their layers go with them.
    const images = (await worldImages(name)).sort((a, b) => Number(a.endsWith('-min')) - Number(b.endsWith('-min')));
    await removeImages(images);
    log(`world '${name}' scale ${scale}: cold build (removed ${images.length} images)`);
    coldS = (await up(name, scale)).wallS;
  } else {
    log(`world '${name}' scale ${scale}: build or reuse`);
    await up(name, scale);
  }
  const warm = await up(name, scale);
  log(`world '${name}': ${coldS === undefined ? '' : `cold ${coldS.toFixed(1)} s, `}warm ${warm.wallS.toFixed(1)} s`);
  return { name, scale, ...(coldS === undefined ? {} : { coldS }), warmS: warm.wallS, world: warm.world };
}
