import { progress } from './log.js';
import { HARBOR_NAME, TOKEN_REGISTRY_NAME } from './harbor-world.js';
import { HTTP_NAME } from './http-server.js';
import { stop } from './processes.js';
import { REGISTRY_NAME } from './registry.js';

/** Stops the processes the world started. Images, registry storage and caches stay (they are the cache). */
export async function down(): Promise<{ stopped: string[] }> {
  const stopped: string[] = [];
  for (const name of [HARBOR_NAME, TOKEN_REGISTRY_NAME, REGISTRY_NAME, HTTP_NAME]) {
    if (await stop(name)) stopped.push(name);
  }
  progress(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running');
  return { stopped };
}
