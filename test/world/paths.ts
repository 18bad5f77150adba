import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Repository root, found from this file so the world works from any cwd. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const worldDir = path.join(repoRoot, '.world');
export const worldJsonPath = path.join(worldDir, 'world.json');
export const httpRoot = path.join(worldDir, 'http');
export const cacheDir = path.join(worldDir, 'cache');
export const worldSrcDir = path.dirname(fileURLToPath(import.meta.url));
