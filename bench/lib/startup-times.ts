/**
 * Start-up time of the built CLI: median wall time of N interleaved runs each of `node -e ''` (Node
 * alone), `tslim --help`, and an offline `tslim compose --dry-run`, with tslim's code cache filled
 * (src/boot/run-bundle.ts; in the bench's own cache directory), and the offline dry run with it off
 * (TSLIM_NO_CODE_CACHE=1, as a subcommand's first run). Used by bench/startup.ts and bench/run.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median, run } from './proc.js';
import { tslim } from './tools.js';

const RELEASE = '24.09';
const KEEP_BACKENDS = ['pytorch', 'onnxruntime', 'python'];

export interface Startup {
  rounds: number;
  nodeS: number;
  helpS: number;
  offlineS: number;
  offlineNoCodeS: number;
  samplesS: { node: number[]; help: number[]; offline: number[]; offlineNoCode: number[] };
}

export async function benchStartup(rounds = 15): Promise<Startup> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tslim-bench-startup-'));
  const offlineArgs = [
    'compose',
    '--dry-run',
    '--version',
    RELEASE,
    ...KEEP_BACKENDS.flatMap((b) => ['--backend', b]),
    '--output',
    path.join(dir, 'Dockerfile'),
    '--offline',
  ];
  const node: number[] = [];
  const help: number[] = [];
  const offline: number[] = [];
  const offlineNoCode: number[] = [];
  const code = { env: { TSLIM_CACHE_DIR: path.join(dir, 'cache') } };
  const noCode = { env: { TSLIM_NO_CODE_CACHE: '1' } };
  try {
    // one unmeasured round warms the page cache and fills the code cache
    await tslim(offlineArgs, code);
    await tslim(['--help'], code);
    // interleaved, so load on the host spreads over all alike
    for (let i = 0; i < rounds; i++) {
      node.push((await run(process.execPath, ['-e', ''])).wallS);
      help.push((await tslim(['--help'], code)).wallS);
      offline.push((await tslim(offlineArgs, code)).wallS);
      offlineNoCode.push((await tslim(offlineArgs, noCode)).wallS);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    rounds,
    nodeS: median(node),
    helpS: median(help),
    offlineS: median(offline),
    offlineNoCodeS: median(offlineNoCode),
    samplesS: { node, help, offline, offlineNoCode },
  };
}
