/**
 * `tslim inspect --json FULL` (the du path: du in a short-lived container) wall time and peak RSS
 * (GNU time's %M: the kernel's ru_maxrss of the node process) vs `docker run --rm FULL du -sb …`,
 * alternated for `rounds` rounds, plus one run of the streamed-archive path (the fallback for images
 * without du; the CLI has no flag for it, so through the built library) with its peak RSS.
 * Each path's backend bytes must equal what the world wrote, or the bench fails.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, median, run } from './lib/proc.js';
import { duInContainer, repoRoot, tslim } from './lib/tools.js';

export interface InspectAtScale {
  scale: number;
  image: string;
  payloadBytes: number;
  rounds: number;
  inspectS: number;
  inspectPeakRssKiB: number;
  duS: number;
  streamS: number;
  streamPeakRssKiB: number;
  samplesS: { inspect: number[]; du: number[] };
}

const STREAM = `
const { connectEngine } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist/docker/engine.js')).href)});
const { inspectImage } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist/inspect/inspect-image.js')).href)});
const f = await inspectImage(connectEngine(), process.argv[1], { role: 'full', sizeMethod: 'stream' });
console.log(JSON.stringify({ sizeMethod: f.sizeMethod, backends: f.backends }));
// dockerode's keep-alive agent holds the event loop (the CLI exits in main.ts for the same reason)
process.exit(0);`;

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
  const inspect: number[] = [];
  const du: number[] = [];
  let rss = 0;
  for (let i = 0; i < rounds; i += 1) {
    const r = await tslim(['inspect', '--json', image], { rss: true });
    const facts = (JSON.parse(r.stdout) as { image: Facts }).image;
    if (facts.sizeMethod !== 'du') throw new Error(`${image}: sizes by ${facts.sizeMethod}, not du`);
    if (backendSum(facts) !== backendBytes)
      throw new Error(`tslim inspect ${image}: backends ${backendSum(facts)} B, the world wrote ${backendBytes} B`);
    inspect.push(r.wallS);
    rss = Math.max(rss, r.maxRssKiB ?? 0);
    const d = await duInContainer(image, '/opt/tritonserver/backends/*');
    du.push(d.wallS);
  }
  const s = await run(process.execPath, ['--input-type=module', '-e', STREAM, image], { rss: true });
  const streamed = JSON.parse(s.stdout) as Facts;
  if (streamed.sizeMethod !== 'stream' || backendSum(streamed) !== backendBytes)
    throw new Error(`${image}: the stream path measured ${backendSum(streamed)} B, the world wrote ${backendBytes} B`);
  const result: InspectAtScale = {
    scale,
    image,
    payloadBytes,
    rounds,
    inspectS: median(inspect),
    inspectPeakRssKiB: rss,
    duS: median(du),
    streamS: s.wallS,
    streamPeakRssKiB: s.maxRssKiB ?? 0,
    samplesS: { inspect, du },
  };
  log(
    `inspect scale ${scale}: du path ${result.inspectS.toFixed(2)} s (${(rss / 1024).toFixed(0)} MiB), ` +
      `stream path ${result.streamS.toFixed(1)} s (${(result.streamPeakRssKiB / 1024).toFixed(0)} MiB), du in a container ${result.duS.toFixed(2)} s`,
  );
  return result;
}
