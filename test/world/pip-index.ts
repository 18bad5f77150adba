import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { contentHash } from './hash.js';
import { progress } from './log.js';
import { cacheDir, httpRoot, worldSrcDir } from './paths.js';
import { pipPackages } from './recipe-packages.js';
import { run } from './run.js';

/** Debian packages whose wheels (the real pip, setuptools and wheel) the index serves. */
const DEBIAN_WHEEL_PACKAGES = ['python3-pip-whl', 'python3-setuptools-whl', 'python3-wheel-whl'];

/** PEP 503 name normalisation. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * A PEP 503 "simple" index at .world/http/simple, wheels in .world/http/packages: Debian's real
 * pip/setuptools/wheel wheels plus stand-in wheels for `pipPackages`.
 */
export async function ensurePipIndex(): Promise<void> {
  const generator = await readFile(path.join(worldSrcDir, 'make-wheel.py'), 'utf8');
  const hash = contentHash('pip-index', 1, DEBIAN_WHEEL_PACKAGES, pipPackages, generator);
  const stamp = path.join(httpRoot, 'simple', '.tslim-world-hash');
  if ((await readFile(stamp, 'utf8').catch(() => '')) === hash) {
    progress('pip index up to date');
    return;
  }
  const packagesDir = path.join(httpRoot, 'packages');
  await rm(packagesDir, { recursive: true, force: true });
  await mkdir(packagesDir, { recursive: true });
  for (const wheel of await debianWheels()) await copyFile(wheel, path.join(packagesDir, path.basename(wheel)));
  for (const p of pipPackages)
    await run('python3', [path.join(worldSrcDir, 'make-wheel.py'), packagesDir, p.name, p.version], { quiet: true });

  const byProject = new Map<string, string[]>();
  for (const file of (await readdir(packagesDir)).filter((f) => f.endsWith('.whl')).sort()) {
    const project = normalizeName(file.split('-')[0]!);
    byProject.set(project, [...(byProject.get(project) ?? []), file]);
  }
  const tmp = path.join(httpRoot, 'simple.tmp');
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const page = (title: string, links: string[]): string =>
    `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>${title}</title></head><body>\n${links.join('\n')}\n</body></html>\n`;
  for (const [project, files] of byProject) {
    const links = await Promise.all(
      files.map(async (f) => {
        const sha = createHash('sha256')
          .update(await readFile(path.join(packagesDir, f)))
          .digest('hex');
        return `<a href="../../packages/${f}#sha256=${sha}">${f}</a><br>`;
      }),
    );
    await mkdir(path.join(tmp, project));
    await writeFile(path.join(tmp, project, 'index.html'), page(`Links for ${project}`, links));
  }
  await writeFile(
    path.join(tmp, 'index.html'),
    page(
      'Simple index',
      [...byProject.keys()].map((p) => `<a href="${p}/">${p}</a><br>`),
    ),
  );
  await writeFile(path.join(tmp, '.tslim-world-hash'), hash);
  await rm(path.join(httpRoot, 'simple'), { recursive: true, force: true });
  await rename(tmp, path.join(httpRoot, 'simple'));
  progress(`pip index: ${[...byProject.keys()].join(', ')}`);
}

/** Downloads (once) and unpacks Debian's *-whl packages; returns the .whl paths. */
async function debianWheels(): Promise<string[]> {
  const dir = path.join(cacheDir, 'debian-wheels');
  const extracted = path.join(dir, 'root', 'usr', 'share', 'python-wheels');
  const have = await readdir(extracted).catch(() => [] as string[]);
  const wanted = ['pip-', 'setuptools-', 'wheel-'];
  if (!wanted.every((w) => have.some((f) => f.startsWith(w)))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(path.join(dir, 'root'), { recursive: true });
    progress(`apt-get download ${DEBIAN_WHEEL_PACKAGES.join(' ')}`);
    await run('apt-get', ['download', ...DEBIAN_WHEEL_PACKAGES], { cwd: dir, quiet: true });
    for (const deb of (await readdir(dir)).filter((f) => f.endsWith('.deb')))
      await run('dpkg-deb', ['-x', path.join(dir, deb), path.join(dir, 'root')]);
  }
  return (await readdir(extracted)).filter((f) => f.endsWith('.whl')).map((f) => path.join(extracted, f));
}
