/** bench/RESULTS.md: what was measured, how, and the numbers of one run. */
import { figures, markdownTable, type Results } from './results.js';

export function renderMarkdown(r: Results, notes: string[]): string {
  const w = r.world
    .map(
      (x) =>
        `\`${x.name}\` at scale ${x.scale}${x.coldS === undefined ? '' : ` (cold ${x.coldS.toFixed(1)} s)`}, warm ${x.warmS.toFixed(1)} s`,
    )
    .join('; ');
  return `# Benchmarks: results of one run

Written by \`npm run bench\` (bench/run.ts) on ${r.date}; the same numbers are in bench/results.json.
Each row is one run on one machine: absolute numbers and their ratio. CI does not run this.

- Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB RAM, Linux ${r.machine.kernel}
- Versions: tslim ${r.versions.tslim} (commit ${r.versions.commit}), Node ${r.versions.node}, Docker engine ${r.versions.dockerEngine}, client ${r.versions.dockerClient}
- Images: the test world under the name \`bench\` (\`tslim-fixture-bench/tritonserver:*\`, docs/test-world.md), release ${r.release}. Worlds: ${w}.

${markdownTable(figures(r))}
## What each figure is

- **world build**: \`npm run world -- up --name bench --scale S --skip-push\` as a child process. Cold:
  after \`docker rmi\` of the bench world's fixture images (full and min of both releases); the base
  image (\`tslim-fixture/base:bookworm\`), the apt/pip stand-ins and the registry are shared with the
  test world and stay, and the -min images come out of the layer cache of the test world's identical
  -min builds. So cold is dominated by writing the payload (urandom) and committing the full layers.
  Warm: the same command again, nothing changed. The bench world is not pushed (see notes).
- **start-up**: median of ${r.startup.rounds} interleaved runs each of \`node -e ''\`, \`tslim --help\` and
  \`tslim compose --dry-run --offline --version V --backend …\` (catalog, no engine), Node start-up
  included (bench/startup.ts measures the same on its own).
- **compose --dry-run, engine**: \`tslim compose --dry-run --skip-pull --image full=FULL --image min=MIN --backend …\`
  (inspects both images, lists their components through the Engine API, reads os-release and
  TRITON_VERSION), median of ${r.dryRun.rounds} rounds, without tslim's facts cache (TSLIM_NO_CACHE=1,
  as every tslim figure here); **facts cached**: the same command with the facts of both images
  already in the cache (a repeated run: no container). **compose.py**: NVIDIA's compose.py from a
  server checkout at the release tag (\`--server-repo\`), \`python3 compose.py --dry-run --skip-pull --image full,FULL --image min,MIN --backend …\`
  on the same images in the same rounds (its \`docker inspect\` calls and one \`docker run FULL ls /usr/bin\`;
  the container it leaves is removed after the clock stops). **By hand** is what a person runs
  for the same facts, timed as one sequence: \`docker inspect FULL MIN\`;
  \`docker run --rm --entrypoint cat FULL /etc/os-release\`;
  \`docker run --rm --entrypoint sh FULL -c 'du -sb /opt/tritonserver/{backends,repoagents,caches}/*'\`.
- **inspect**: \`tslim inspect --json FULL\` under GNU \`time -f %M\` (peak RSS = the kernel's
  ru_maxrss of the node process: exact, no polling), wall time around the process, median of
  ${r.inspect[0]?.rounds ?? 3} rounds alternated with the baseline
  \`docker run --rm --network none --entrypoint sh FULL -c 'du -sb /opt/tritonserver/backends/*'\`. tslim's
  default here (**layer store**: tslim runs as root beside the engine) reads the image's layer records
  (overlay2 tar-split headers, no file bodies) and no container; \`--size-method du\` (**du path**, the
  default where the store is not readable) runs \`du\` in a short-lived, labelled, network-less
  container that is always removed; the **stream path** (\`--size-method stream\`, the fallback for images
  without \`du\`) counts the bytes of the directories' tar streamed out of the engine, run once. All
  three must give the backend bytes the world wrote, or the bench fails.
- **BuildKit vs classic**: \`tslim compose --builder classic|buildkit\` on the \`${r.world.find((w) => w.scale === r.builders.scale)?.name ?? '?'}\`
  world (scale ${r.builders.scale}), backends ${r.builders.backends.join(', ')}, ${r.builders.rounds} round(s): cold
  (\`--no-cache\`) then warm (the same command again) for each builder.
- **compose build**: \`tslim compose --skip-pull --image full=… --image min=… --backend ${r.compose.backends.join(' --backend ')}\`
  with the world flags (\`--registry-mirror --cuda-repo --pip-index-url --pip-trusted-host\`), first
  with \`--no-cache\` (cold), then the same command again (warm, nothing changed).
- **slim size vs ideal**: \`tslim report FULL SLIM --min MIN --json --no-registry\`; the ideal is the
  report's \`ideal.bytes\` (min + kept payload + what the recipe installs). **Wasted bytes**: bench/wasted-bytes.ts
  streams \`docker save SLIM\`, reads every layer tar (ordered by RootFS diff ids) and sums the sizes of
  regular files a later layer overwrites or removes (whiteout / opaque directory); unit-tested in
  test/unit/bench-wasted-bytes.test.ts.
- **push**: one push each of the slim image (${(r.push.imageBytes / 1e9).toFixed(2)} GB uncompressed) to a
  fresh, empty Debian docker-registry on 127.0.0.1 (htpasswd, plain HTTP), restarted with empty storage
  before each push (as bench/push-vs-docker.sh); \`docker push -q\` first, then \`tslim push -q --password-stdin\`.
  One round each: bench/push.md has 8 rounds on a smaller image and the spread (±9 s at 0.6 GB).

## Notes

${notes.map((n) => `- ${n}`).join('\n')}
`;
}
