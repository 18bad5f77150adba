import path from 'node:path';
import { worldDir } from './paths.js';

/**
 * A world namespace. The default world (tests, scale 0.01) uses the historical names; a named one
 * (`--name bench` / TSLIM_WORLD_NAME=bench, e.g. a multi-GB bench world) gets its own image
 * repository, registry repository and state files, so it never replaces the test fixtures.
 * The base image, apt/pip servers, registry process and the up lock stay shared.
 */
export interface WorldNamespace {
  /** undefined for the default world. */
  name: string | undefined;
  /** Local repository of the fixture images: `tslim-fixture/tritonserver` or `tslim-fixture-<name>/tritonserver`. */
  imageRepository: string;
  /** Repository path in the world registry: `nvidia/tritonserver` or `<name>/tritonserver`. */
  registryRepository: string;
  /** world.json (default `.world/world.json`, named `.world/<name>/world.json`). */
  jsonPath: string;
  /** Which image id was pushed under which remote tag. */
  pushedPath: string;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;

export function worldNamespace(name: string | undefined = process.env.TSLIM_WORLD_NAME || undefined): WorldNamespace {
  if (name === undefined || name === '') {
    return {
      name: undefined,
      imageRepository: 'tslim-fixture/tritonserver',
      registryRepository: 'nvidia/tritonserver',
      jsonPath: path.join(worldDir, 'world.json'),
      pushedPath: path.join(worldDir, 'pushed.json'),
    };
  }
  if (!NAME.test(name))
    throw new Error(`invalid world name '${name}': use lowercase letters, digits and '-', e.g. bench`);
  const dir = path.join(worldDir, name);
  return {
    name,
    imageRepository: `tslim-fixture-${name}/tritonserver`,
    registryRepository: `${name}/tritonserver`,
    jsonPath: path.join(dir, 'world.json'),
    pushedPath: path.join(dir, 'pushed.json'),
  };
}
