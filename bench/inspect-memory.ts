/**
 * `tslim inspect --json FULL` (the default: the engine's layer store, no container) and
 * `tslim inspect --json --size-method du FULL` (du in a short-lived container) wall time and peak
 * RSS (GNU time's %M: the kernel's ru_maxrss of the node process) vs `docker run --rm FULL du -sb …`,
 * alternated for `rounds` rounds, plus one run of the streamed-archive path (the fallback for images
 * without du) with its peak RSS. Each path's backend bytes must equal what the world wrote, or the
 * bench fails.
 */
import { log, median } from './lib/proc.js';
import { duInContainer, tslim } from './lib/tools.js';

export interface InspectAtScale {
  scale: number;
  image: string;
  payloadBytes: number;
  rounds: number;
  /** The layer-store path (the default where the store is readable, as here). */
  layersS: number;
  layersPeakRssKiB: number;
  /** The du path. */
  inspectS: number;
  inspectPeakRssKiB: number;
  duS: number;
  streamS: number;
  streamPeakRssKiB: number;
  samplesS: { layers: number[]; inspect: number[]; du: number[] };
}

interface Facts {
  sizeMethod?: string;
  backends?: { bytes: number }[];
}
const backendSum = (f: Facts): number => (f.backends ?? []).reduce((a, b) => a + b.bytes, 0);

export async function benchInspect(
  scale: number,
  image: string,
  payloadBytes: number,
  backendBytes: number,
  rounds = 3,
): Promise<InspectAtScale> {
  const layers: number[] = [];
  const inspect: number[] = [];
  const du: number[] = [];
  let layersRss = 0;
  let rss = 0;
  const measured = async (method: string): Promise<{ wallS: number; maxRssKiB?: number | undefined }> => {
    const r = await tslim(['inspect', '--json', ...(method === 'layers' ? [] : ['--size-method', method]), image], {
      rss: true,
    });
    const facts = (JSON.parse(r.stdout) as { image: Facts }).image;
    if (facts.sizeMethod !== method) throw new Error(`${image}: sizes by ${facts.sizeMethod}, not ${method}`);
    if (backendSum(facts) !== backendBytes)
      throw new Error(
        `tslim inspect (${method}) ${image}: backends ${backendSum(facts)} B, the world wrote ${backendBytes} B`,
      );
    return r;
  };
  for (let i = 0; i < rounds; i += 1) {
    const l = await measured('layers');
    layers.push(l.wallS);
    layersRss = Math.max(layersRss, l.maxRssKiB ?? 0);
    const r = await measured('du');
    inspect.push(r.wallS);
    rss = Math.max(rss, r.maxRssKiB ?? 0);
    const d = await duInContainer(image, '/opt/tritonserver/backends/*');
    du.push(d.wallS);
  }
  const s = await measured('stream');
  const result: InspectAtScale = {
    scale,
    image,
    payloadBytes,
    rounds,
    layersS: median(layers),
    layersPeakRssKiB: layersRss,
    inspectS: median(inspect),
    inspectPeakRssKiB: rss,
    duS: median(du),
    streamS: s.wallS,
    streamPeakRssKiB: s.maxRssKiB ?? 0,
    samplesS: { layers, inspect, du },
  };
  log(
    `inspect scale ${scale}: layer store ${result.layersS.toFixed(2)} s (${(layersRss / 1024).toFixed(0)} MiB), du path ${result.inspectS.toFixed(2)} s (${(rss / 1024).toFixed(0)} MiB), ` +
      `stream path ${result.streamS.toFixed(1)} s (${(result.streamPeakRssKiB / 1024).toFixed(0)} MiB), du in a container ${result.duS.toFixed(2)} s`,
  );
  return result;
}
