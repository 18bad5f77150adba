/**
 * `npm run world:token`: starts (or finds running) only the token-auth registry and the Harbor
 * double, and adds their keys to an existing .world/world.json; builds no image, touches neither
 * the Basic-auth registry nor the fixtures. `npm run world` does the same as part of `up`.
 * stdout: one JSON line (the `tokenRegistry` key).
 */
import { readFile } from 'node:fs/promises';
import { ensureHarborWorld } from './harbor-world.js';
import { withWorldLock } from './lock.js';
import { worldJsonPath } from './paths.js';
import { writeWorldJson } from './world-json.js';
import type { World } from './world-types.js';

async function main(): Promise<void> {
  const result = await withWorldLock(async () => {
    const world = JSON.parse(await readFile(worldJsonPath, 'utf8').catch(() => 'null')) as World | null;
    if (!world) throw new Error(`no ${worldJsonPath}: run \`npm run world\` first`);
    const token = await ensureHarborWorld();
    await writeWorldJson(
      { ...world, pids: { ...world.pids, ...token.pids }, tokenRegistry: token.world },
      worldJsonPath,
    );
    return token.world;
  });
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`[world] error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
