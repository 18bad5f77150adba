/** The bench's results: one JSON object, a console table, and bench/RESULTS.md. */
import type { ComposeBuild } from './compose-build.js';
import type { BuilderTimes } from './lib/buildkit-times.js';
import { median } from './lib/proc.js';
import type { Startup } from './lib/startup-times.js';
import type { DryRun } from './dry-run.js';
import type { InspectAtScale } from './inspect-memory.js';
import type { PushBench } from './push.js';
import type { SlimSize } from './slim-size.js';

export interface Results {
  schema: 'tslim.bench/v1';
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; kernel: string };
  versions: { tslim: string; commit: string; node: string; dockerEngine: string; dockerClient: string };
  release: string;
  world: { name: string; scale: number; coldS?: number; warmS: number }[];
  startup: Startup;
  dryRun: DryRun;
  inspect: InspectAtScale[];
  builders: BuilderTimes;
  compose: ComposeBuild;
  slim: SlimSize;
  push: PushBench;
}

export interface Figure {
  figure: string;
  tslim: string;
  baseline: string;
  ratio: string;
}

const s = (x: number): string => `${x.toFixed(x < 10 ? 2 : 1)} s`;
const gb = (b: number): string => `${(b / 1e9).toFixed(2)} GB`;
const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const x = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

export function figures(r: Results): Figure[] {
  const rows: Figure[] = [];
  const big = r.world.find((w) => w.coldS !== undefined);
  if (big?.coldS !== undefined)
    rows.push({
      figure: `world build, scale ${big.scale} (cold vs warm)`,
      tslim: s(big.coldS),
      baseline: s(big.warmS),
      ratio: x(big.coldS, big.warmS),
    });
  rows.push({
    figure: 'tslim --help (vs node alone)',
    tslim: s(r.startup.helpS),
    baseline: s(r.startup.nodeS),
    ratio: x(r.startup.helpS, r.startup.nodeS),
  });
  rows.push({
    figure: 'compose --dry-run --offline (vs node alone; goal < 0.15 s)',
    tslim: s(r.startup.offlineS),
    baseline: s(r.startup.nodeS),
    ratio: x(r.startup.offlineS, r.startup.nodeS),
  });
  if (r.dryRun.composePyS !== undefined)
    rows.push({
      figure: 'compose --dry-run, engine (vs compose.py --dry-run; goal ≤ 0.5×)',
      tslim: s(r.dryRun.engineS),
      baseline: s(r.dryRun.composePyS),
      ratio: x(r.dryRun.engineS, r.dryRun.composePyS),
    });
  if (r.dryRun.composePyS !== undefined)
    rows.push({
      figure: 'compose --dry-run, engine, facts cached (vs compose.py --dry-run; goal ≤ 0.5×)',
      tslim: s(r.dryRun.cachedS),
      baseline: s(r.dryRun.composePyS),
      ratio: x(r.dryRun.cachedS, r.dryRun.composePyS),
    });
  if (r.dryRun.composePyS !== undefined && r.dryRun.node22S !== undefined)
    rows.push({
      figure: 'compose --dry-run, engine, under Node 22 (vs compose.py --dry-run; goal ≤ 0.5×)',
      tslim: s(r.dryRun.node22S),
      baseline: s(r.dryRun.composePyS),
      ratio: x(r.dryRun.node22S, r.dryRun.composePyS),
    });
  rows.push({
    figure: 'compose --dry-run, engine (vs by hand)',
    tslim: s(r.dryRun.engineS),
    baseline: s(r.dryRun.byHandS),
    ratio: x(r.dryRun.engineS, r.dryRun.byHandS),
  });
  for (const i of r.inspect) {
    rows.push({
      figure: `inspect, layer store (default), payload ${gb(i.payloadBytes)} (vs du -sb in a container; goal ≤ 1.2×)`,
      tslim: s(i.layersS),
      baseline: s(i.duS),
      ratio: x(i.layersS, i.duS),
    });
    rows.push({
      figure: `inspect, du path, payload ${gb(i.payloadBytes)} (vs du -sb in a container)`,
      tslim: s(i.inspectS),
      baseline: s(i.duS),
      ratio: x(i.inspectS, i.duS),
    });
    rows.push({
      figure: `inspect, stream path, payload ${gb(i.payloadBytes)} (vs du -sb in a container)`,
      tslim: s(i.streamS),
      baseline: s(i.duS),
      ratio: x(i.streamS, i.duS),
    });
  }
  const [a, b] = [...r.inspect].sort((p, q) => p.payloadBytes - q.payloadBytes);
  if (a && b) {
    for (const [path, pick] of [
      ['layer store', (i: InspectAtScale): number => i.layersPeakRssKiB],
      ['du', (i: InspectAtScale): number => i.inspectPeakRssKiB],
      ['stream', (i: InspectAtScale): number => i.streamPeakRssKiB],
    ] as const)
      rows.push({
        figure: `inspect peak RSS, ${path} path, payload ${gb(b.payloadBytes)} vs ${gb(a.payloadBytes)}`,
        tslim: mib(pick(b)),
        baseline: mib(pick(a)),
        ratio: x(pick(b), pick(a)) + ` (payload ${x(b.payloadBytes, a.payloadBytes)})`,
      });
  }
  for (const [name, t] of [
    ['cold (--no-cache)', r.builders.coldS],
    ['warm', r.builders.warmS],
  ] as const)
    rows.push({
      figure: `compose build ${name}, BuildKit vs classic (scale ${r.builders.scale})`,
      tslim: s(median(t.buildkit)),
      baseline: s(median(t.classic)),
      ratio: x(median(t.buildkit), median(t.classic)),
    });
  rows.push({
    figure: 'compose build, cold (--no-cache) vs warm',
    tslim: s(r.compose.coldS),
    baseline: s(r.compose.warmS),
    ratio: x(r.compose.coldS, r.compose.warmS),
  });
  rows.push({
    figure: 'slim size vs ideal (min + kept payload + deps)',
    tslim: gb(r.slim.slimBytes),
    baseline: gb(r.slim.idealBytes),
    ratio: x(r.slim.slimBytes, r.slim.idealBytes),
  });
  rows.push({
    figure: `wasted bytes in slim layers, ${r.slim.wasted.wastedFiles} files (vs slim size)`,
    tslim: `${(r.slim.wasted.wastedBytes / 1e6).toFixed(1)} MB`,
    baseline: gb(r.slim.slimBytes),
    ratio: `${((100 * r.slim.wasted.wastedBytes) / r.slim.slimBytes).toFixed(2)} %`,
  });
  rows.push({
    figure: `push ${gb(r.push.imageBytes)} (tslim vs docker push)`,
    tslim: s(r.push.tslimS),
    baseline: s(r.push.dockerS),
    ratio: x(r.push.tslimS, r.push.dockerS),
  });
  return rows;
}

export function table(rows: Figure[]): string {
  const head: Figure = { figure: 'figure', tslim: 'measured', baseline: 'baseline', ratio: 'ratio' };
  const all = [head, ...rows];
  const w = (k: keyof Figure): number => Math.max(...all.map((r) => r[k].length));
  const line = (r: Figure): string =>
    `${r.figure.padEnd(w('figure'))}  ${r.tslim.padStart(w('tslim'))}  ${r.baseline.padStart(w('baseline'))}  ${r.ratio}`;
  return all.map(line).join('\n') + '\n';
}

export function markdownTable(rows: Figure[]): string {
  return (
    [
      '| figure | measured | baseline | ratio |',
      '|---|---:|---:|---:|',
      ...rows.map((r) => `| ${r.figure} | ${r.tslim} | ${r.baseline} | ${r.ratio} |`),
    ].join('\n') + '\n'
  );
}
