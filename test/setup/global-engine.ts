import type { TestProject } from 'vitest/node';
import { worldEngine } from '../world/engine.js';
import { worldJsonPath } from '../world/paths.js';
import { readWorld } from '../world/read-world.js';
import { up } from '../world/up.js';
import type { World } from '../world/world-types.js';

declare module 'vitest' {
  export interface ProvidedContext {
    world: World;
  }
}

// engine and e2e both name this setup; they run in one process, so share one `up()`.
const shared = globalThis as { tslimWorldUp?: Promise<World> };

/**
 * Global setup of the engine and e2e projects: fails fast without an engine, brings the test world
 * up (seconds when nothing changed), and hands world.json to tests via `inject('world')`,
 * TSLIM_WORLD_JSON and `readWorld()`. TSLIM_WORLD_SKIP_UP=1 only reads an existing world.json.
 */
export default async function setup(project: TestProject): Promise<void> {
  try {
    await worldEngine().ping();
  } catch (cause) {
    const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    throw new Error(
      `no Docker engine reachable at ${where}: run \`npm run engine\` (as root it installs and starts dockerd) or set DOCKER_HOST`,
      { cause },
    );
  }
  shared.tslimWorldUp ??= process.env.TSLIM_WORLD_SKIP_UP === '1' ? Promise.resolve(readWorld()) : up();
  const world = await shared.tslimWorldUp;
  process.env.TSLIM_WORLD_JSON ??= worldJsonPath;
  project.provide('world', world);
}
