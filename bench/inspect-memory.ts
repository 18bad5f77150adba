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

export async function benchInspect(scale: number, image: string, payloadBytes: number): Promise<InspectAtScale> {
  const r = await tslim(['inspect', '--json', image], { rss: true });
  if (r.maxRssKiB === undefined) throw new Error('GNU time reported no peak RSS (apt-get install time)');
  const facts = JSON.parse(r.stdout) as { backends?: { name: string; bytes: number }[] };
  if (!facts.backends?.length) throw new Error(`tslim inspect ${image} reported no backends`);
  const du = await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c', 'du -sb /opt/tritonserver/backends/*']);
  const result = { scale, image, payloadBytes, inspectS: r.wallS, inspectPeakRssKiB: r.maxRssKiB, duS: du.wallS };
  log(`inspect scale ${scale}: ${r.wallS.toFixed(1)} s, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB; du in a container ${du.wallS.toFixed(1)} s`);
  return result;
}
