import type { HarborWorld } from '../world/world-types.js';

/** The Harbor double's /_world controls (docs/test-world.md). */
export function harborControl(world: HarborWorld) {
  const post = async (what: string, body: unknown = {}): Promise<void> => {
    const res = await fetch(`${world.control}/${what}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`harbor double control ${what} answered ${res.status}`);
  };
  return {
    reset: () => post('reset'),
    tokenLifetime: (seconds: number, advertise?: number) =>
      post('token-lifetime', advertise === undefined ? { seconds } : { seconds, advertise }),
    ingressLimit: (maxBodyBytes: number) => post('ingress', { maxBodyBytes }),
    delayManifestPuts: (count: number, ms: number) => post('delay-manifest-puts', { count, ms }),
    stats: async () =>
      (await (await fetch(`${world.control}/stats`)).json()) as {
        tokens: Record<string, number>;
        ingress413: number;
        delayedManifestPuts: number;
      },
  };
}
