/**
 * The peer: NVIDIA's compose.py (server repository, at the release's tag) in its own dry-run mode,
 * `python3 compose.py --dry-run --skip-pull --image full,FULL --image min,MIN --backend … --work-dir D`,
 * which docker-inspects both images (one CLI call per fact) and `docker run`s FULL once (`ls /usr/bin`,
 * for SageMaker's `serve`), then writes Dockerfile.compose. It never removes that container: the
 * bench does, after the clock stops. compose.py imports build.py (beside it), which needs the
 * `distro` and `requests` modules (Debian's python3-distro, python3-requests).
 * tslim ships none of compose.py: the bench runs a checkout the user points it at (--server-repo).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { log, run } from './lib/proc.js';
import { docker } from './lib/tools.js';

const PYTHON = '/usr/bin/python3';

/** Checks the checkout and installs compose.py's python modules from Debian when missing. */
export function composePyReady(serverRepo: string): void {
  for (const file of ['compose.py', 'build.py'])
    if (!existsSync(path.join(serverRepo, file))) throw new Error(`--server-repo ${serverRepo} has no ${file}`);
  try {
    execFileSync(PYTHON, ['-c', 'import distro, requests'], { stdio: 'ignore' });
  } catch {
    log("installing compose.py's python modules (python3-distro, python3-requests)");
    execFileSync('apt-get', ['install', '-y', '-q', 'python3-distro', 'python3-requests'], { stdio: 'inherit' });
  }
}

async function containersOf(image: string): Promise<Set<string>> {
  const out = (await docker(['ps', '-aq', '--no-trunc', '--filter', `ancestor=${image}`])).stdout;
  return new Set(out.split('\n').filter(Boolean));
}

/** One compose.py dry run; wall seconds. Checks that it wrote a Dockerfile naming every backend. */
export async function composePyDryRun(
  serverRepo: string,
  full: string,
  min: string,
  backends: string[],
): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tslim-bench-composepy-'));
  const before = await containersOf(full);
  try {
    const r = await run(PYTHON, [
      path.join(serverRepo, 'compose.py'),
      '--dry-run',
      '--skip-pull',
      '--image',
      `full,${full}`,
      '--image',
      `min,${min}`,
      ...backends.flatMap((b) => ['--backend', b]),
      '--work-dir',
      dir,
    ]);
    const dockerfile = execFileSync('cat', [path.join(dir, 'Dockerfile.compose')], { encoding: 'utf8' });
    for (const b of backends)
      if (!dockerfile.includes(`/opt/tritonserver/backends/${b}`))
        throw new Error(`compose.py's Dockerfile.compose does not copy the ${b} backend`);
    return r.wallS;
  } finally {
    const left = [...(await containersOf(full))].filter((id) => !before.has(id));
    if (left.length) await docker(['rm', '-f', ...left]);
    await rm(dir, { recursive: true, force: true });
  }
}
