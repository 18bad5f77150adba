import type { Engine } from '../docker/engine.js';
import { statPath, withScratchContainer } from '../docker/archive.js';
import type { ComponentKind } from './facts.js';
import type { FactsCache } from './facts-cache.js';
import type { RawImage } from '../docker/images.js';
import { imageLayers, layerComponentNames } from './layer-facts.js';
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
  /** The engine's inspect of `image`: the names are read from its layer store when that is readable. */
  raw?: RawImage,
): Promise<ComponentNames> {
  const key = cached && `names:${cached.imageId}:${JSON.stringify(sortedCandidates(candidates))}`;
  const hit = key ? cached.cache.get<ComponentNames>(key) : undefined;
  if (hit) return hit;
  const layers = raw ? await imageLayers(raw, signal) : undefined;
  const found =
    layers && 'store' in layers
      ? layerComponentNames(layers.store.tree, candidates)
      : await withContainer(engine, image, candidates, runId, signal);
  if (key) await cached.cache.set(key, found);
  return found;
}

/** One stat per candidate through a scratch container's archive endpoint. */
function withContainer(
  engine: Engine,
  image: string,
  candidates: ComponentNames,
  runId: string,
  signal?: AbortSignal,
): Promise<ComponentNames> {
  return withScratchContainer(
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
}

function sortedCandidates(candidates: ComponentNames): ComponentNames {
  const sorted = (names: string[]): string[] => [...new Set(names)].sort();
  return {
    backends: sorted(candidates.backends),
    repoagents: sorted(candidates.repoagents),
    caches: sorted(candidates.caches),
  };
}
