/**
 * `vite-node bench/buildkit.ts [-- --rounds 3 --release 24.09]` (after `npm run build`): `tslim
 * compose` build wall time with the classic builder and with BuildKit, cold (`--no-cache`) and warm
 * (same inputs, layer cache on), in one run on the world of TSLIM_WORLD_JSON (default: the test
 * world's .world/world.json). Rounds alternate the builders so drift hits both alike; medians and
 * the BuildKit/classic ratio go to stdout as a markdown table (recorded in bench/buildkit.md).
 */
import { parseArgs } from 'node:util';
import { readWorld } from '../test/world/read-world.js';
import { benchBuildKit } from './lib/buildkit-times.js';
import { median } from './lib/proc.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      rounds: { type: 'string', default: '3' },
      release: { type: 'string', default: '24.09' },
      backend: { type: 'string', multiple: true },
    },
  });
  const world = readWorld();
  const backends = values.backend ?? ['onnxruntime', 'python'];
  const t = await benchBuildKit(world, values.release, backends, Number(values.rounds));
  const s = (v: number[]): string => `${median(v).toFixed(2)} s`;
  const all = (v: number[]): string => v.map((x) => x.toFixed(2)).join(', ');
  process.stdout.write(
    `world scale ${world.scale}, release ${values.release}, backends ${backends.join(', ')}; median of ${t.rounds} rounds\n\n`,
  );
  process.stdout.write('| build | classic | BuildKit | BuildKit / classic | runs classic | runs BuildKit |\n');
  process.stdout.write('|---|---:|---:|---:|---|---|\n');
  for (const [name, v] of [
    ['cold (--no-cache)', t.coldS],
    ['warm (nothing changed)', t.warmS],
  ] as const) {
    const ratio = median(v.buildkit) / median(v.classic);
    process.stdout.write(
      `| ${name} | ${s(v.classic)} | ${s(v.buildkit)} | ${ratio.toFixed(2)}× | ${all(v.classic)} | ${all(v.buildkit)} |\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
