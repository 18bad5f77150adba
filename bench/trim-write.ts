/**
 * One trim write in its own process, so its peak RSS is its own (bench/trim-layers.ts runs it):
 * analyse IMAGE as `--trim` does, then write the trimmed image the way MODE says:
 *   layers  tslim's writer (save, per-layer filter, load: src/trim/write-trimmed.ts)
 *   flat    the writer before issue 25 (export less the removed paths, `docker import`: lib/flat-import.ts)
 * Prints {"id", "writeMs", "analysisMs"} on stdout. Nothing is tagged; the caller removes the image.
 * usage: vite-node bench/trim-write.ts -- layers|flat IMAGE
 */
import { withScratchContainer } from '../src/docker/archive.js';
import { connectEngine } from '../src/docker/engine.js';
import { exportFilesystem } from '../src/docker/export-import.js';
import { inspectImageRaw } from '../src/docker/images.js';
import { trimImage, TRIM_LABEL } from '../src/trim/trim-image.js';
import { writeTrimmed } from '../src/trim/write-trimmed.js';
import { configChanges, importFilesystem, rewriteTar } from './lib/flat-import.js';

const [mode, image] = process.argv.slice(2).filter((a) => a !== '--');
if ((mode !== 'layers' && mode !== 'flat') || !image) {
  process.stderr.write('usage: vite-node bench/trim-write.ts -- layers|flat IMAGE\n');
  process.exit(2);
}
const engine = connectEngine();
const runId = `bench-trim-write-${Date.now().toString(36)}`;
const raw = (await inspectImageRaw(engine, image))!;
const outcome = await trimImage(image, { engine, runId, keep: [], ignoreDlopen: [], reportOnly: true });
const { plan } = outcome;
const label = JSON.stringify({ from: raw.Id, removedBytes: plan.removedBytes });
const started = performance.now();
let id: string;
if (mode === 'layers') {
  id = (await writeTrimmed(engine, raw.Id, plan.remove, { labels: () => ({ [TRIM_LABEL]: label }) })).id;
} else {
  const stats = { kept: 0, dropped: 0, keptBytes: 0, droppedBytes: 0 };
  id = await withScratchContainer(engine, raw.Id, runId, async (container) => {
    const body = rewriteTar(await exportFilesystem(container), (p) => plan.remove.has(p) || p === '/.dockerenv', stats);
    return importFilesystem(engine, body, configChanges(raw.Config, { [TRIM_LABEL]: label }));
  });
}
const writeMs = Math.round(performance.now() - started);
process.stdout.write(`${JSON.stringify({ id, writeMs, analysisMs: outcome.analysis.ms })}\n`);
