import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { worldJsonPath } from './paths.js';
import type { World } from './world-types.js';

/** Writes .world/world.json via a temp name, so readers never see half a file. */
export async function writeWorldJson(world: World): Promise<void> {
  await mkdir(path.dirname(worldJsonPath), { recursive: true });
  const tmp = `${worldJsonPath}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(world, null, 2) + '\n');
  await rename(tmp, worldJsonPath);
}
