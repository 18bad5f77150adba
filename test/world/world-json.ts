import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { World } from './world-types.js';

/** Writes world.json (default .world/world.json) via a temp name, so readers never see half a file. */
export async function writeWorldJson(world: World, worldJsonPath: string): Promise<void> {
  await mkdir(path.dirname(worldJsonPath), { recursive: true });
  const tmp = `${worldJsonPath}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(world, null, 2) + '\n');
  await rename(tmp, worldJsonPath);
}
