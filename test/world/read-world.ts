import { readFileSync } from 'node:fs';
import { worldJsonPath } from './paths.js';
import type { World } from './world-types.js';

export type { World, WorldRelease } from './world-types.js';

/**
 * The world description for tests: TSLIM_WORLD_JSON (set by the engine/e2e global setup), else
 * .world/world.json. Throws with the command to run when the world is not built.
 */
export function readWorld(): World {
  const file = process.env.TSLIM_WORLD_JSON ?? worldJsonPath;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as World;
  } catch (cause) {
    throw new Error(`no test world at ${file}: run \`npm run world\``, { cause });
  }
}
