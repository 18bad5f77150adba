import type { Engine } from '../docker/engine.js';
import { statPath, withScratchContainer } from '../docker/archive.js';
import type { ComponentKind } from './facts.js';
import type { FactsCache } from './facts-cache.js';
import { TRITON_ROOT } from './payload.js';

export type ComponentNames = Record<ComponentKind, string[]>;

/**
 * Which of the candidate names exist under /opt/tritonserver/<kind> of an image, by one stat
 * each: compose needs names, not sizes, and measuring streams every payload byte (seconds per GB
 * on real images). Names must already be safe path components (compose's allow-list).
 */
export async function presentComponents(
  engine: Engine,
  image: string,
  candidates: ComponentNames,
  runId: string,
  signal?: AbortSignal,
  /** With the image's id: names found by an earlier run for the same candidates (facts-cache.ts). */
  cached?: { cache: FactsCache; imageId: string },
): Promise<ComponentNames> {
  const key = cached && `names:${cached.imageId}:${JSON.stringify(sortedCandidates(candidates))}`;
  const hit = key ? cached.cache.get<ComponentNames>(key) : undefined;
  if (hit) return hit;
  const found = await withScratchContainer(
    engine,
    image,
    runId,
    async (container) => {
      const found: ComponentNames = { backends: [], repoagents: [], caches: [] };
      // the stats are independent HEAD requests: one round trip for all of them, not one each
      const kinds = Object.keys(found) as ComponentKind[];
      const checks = kinds.flatMap((kind) => [...new Set(candidates[kind])].sort().map((name) => ({ kind, name })));
      const present = await Promise.all(
        checks.map(
          async ({ kind, name }) => (await statPath(container, `${TRITON_ROOT}/${kind}/${name}`)) !== undefined,
        ),
      );
      checks.forEach(({ kind, name }, i) => {
        if (present[i]) found[kind].push(name);
      });
      return found;
    },
    signal,
  );
  if (key) await cached.cache.set(key, found);
  return found;
}

function sortedCandidates(candidates: ComponentNames): ComponentNames {
  const sorted = (names: string[]): string[] => [...new Set(names)].sort();
  return {
    backends: sorted(candidates.backends),
    repoagents: sorted(candidates.repoagents),
    caches: sorted(candidates.caches),
  };
}
