/**
 * `tslim inspect --json FULL` wall time and peak RSS (GNU time's %M: the kernel's ru_maxrss of the
 * node process) vs `du -sb` of the payload in a container, per payload scale.
 */
import { log } from './lib/proc.js';
import { docker, tslim } from './lib/tools.js';

export interface InspectAtScale {
  scale: number;
  image: string;
  payloadBytes: number;
  inspectS: number;
  inspectPeakRssKiB: number;
  duS: number;
}

export async function benchInspect(
  scale: number,
  image: string,
  payloadBytes: number,
  backendBytes: number,
): Promise<InspectAtScale> {
  const r = await tslim(['inspect', '--json', image], { rss: true });
  if (r.maxRssKiB === undefined) throw new Error('GNU time reported no peak RSS (apt-get install time)');
  const facts = (JSON.parse(r.stdout) as { image?: { backends?: { name: string; bytes: number }[] } }).image;
  const measured = (facts?.backends ?? []).reduce((a, b) => a + b.bytes, 0);
  // A check that inspect really read the payload: its backend bytes equal what the world wrote.
  if (measured !== backendBytes)
    throw new Error(`tslim inspect ${image}: backends ${measured} B, the world wrote ${backendBytes} B`);
  const du = await docker([
    'run',
    '--rm',
    '--network',
    'none',
    '--entrypoint',
    'sh',
    image,
    '-c',
    'du -sb /opt/tritonserver/backends/*',
  ]);
  const result = { scale, image, payloadBytes, inspectS: r.wallS, inspectPeakRssKiB: r.maxRssKiB, duS: du.wallS };
  log(
    `inspect scale ${scale}: ${r.wallS.toFixed(1)} s, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB; du in a container ${du.wallS.toFixed(1)} s`,
  );
  return result;
}
