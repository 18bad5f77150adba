/** Slim size vs the ideal (`tslim report --json`: min + kept payload + deps) and wasted bytes from its layers. */
import { log } from './lib/proc.js';
import { docker, tslim } from './lib/tools.js';
import { imageWastedBytes, type Wasted } from './wasted-bytes.js';

export interface SlimSize {
  fullBytes: number;
  slimBytes: number;
  minBytes?: number;
  keptPayloadBytes: number;
  idealBytes: number;
  overheadBytes: number;
  wasted: Wasted;
  wastedS: number;
}

interface ReportJson {
  report: {
    full: { bytes: number };
    slim: { bytes: number };
    min?: { bytes: number };
    payload: { keptBytes: number };
    ideal?: { bytes: number; overheadBytes: number };
  };
}

export async function benchSlimSize(full: string, slim: string, min: string): Promise<SlimSize> {
  const out = await tslim(['report', full, slim, '--min', min, '--json', '--no-registry']);
  const { report } = JSON.parse(out.stdout) as ReportJson;
  if (!report.ideal) throw new Error('tslim report gave no ideal size');
  const layers = JSON.parse(
    (await docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', slim])).stdout,
  ) as string[];
  const started = process.hrtime.bigint();
  const wasted = await imageWastedBytes(slim, layers);
  const wastedS = Number(process.hrtime.bigint() - started) / 1e9;
  log(
    `slim ${report.slim.bytes} B, ideal ${report.ideal.bytes} B, wasted ${wasted.wastedBytes} B in ${wasted.wastedFiles} files (${wastedS.toFixed(1)} s)`,
  );
  return {
    fullBytes: report.full.bytes,
    slimBytes: report.slim.bytes,
    ...(report.min ? { minBytes: report.min.bytes } : {}),
    keptPayloadBytes: report.payload.keptBytes,
    idealBytes: report.ideal.bytes,
    overheadBytes: report.ideal.overheadBytes,
    wasted,
    wastedS,
  };
}
