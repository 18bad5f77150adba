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

export interface PipIndexSpec {
  /** Index folder under .world/http (`simple`); its wheels go to `<dir>-packages` (`simple` keeps `packages`). */
  dir: string;
  /** Stand-in pure-python wheels made by make-wheel.py. */
  stubs: readonly { name: string; version: string }[];
  /** Real wheels to serve as they are (absolute paths), such as the real world's numpy. */
  wheels?: readonly string[];
}

/** The default world's index: Debian's real pip/setuptools/wheel plus stand-ins for `pipPackages`. */
export const STUB_INDEX: PipIndexSpec = { dir: 'simple', stubs: pipPackages };

/**
 * A PEP 503 "simple" index at .world/http/<dir>, wheels beside it: Debian's real
 * pip/setuptools/wheel wheels, stand-in wheels for `spec.stubs`, and `spec.wheels` as they are.
 */
export async function ensurePipIndex(spec: PipIndexSpec = STUB_INDEX): Promise<void> {
  const generator = await readFile(path.join(worldSrcDir, 'make-wheel.py'), 'utf8');
  const realWheels = await Promise.all(
    (spec.wheels ?? []).map(async (w) => [
      path.basename(w),
      createHash('sha256')
        .update(await readFile(w))
        .digest('hex'),
    ]),
  );
  const hash = contentHash('pip-index', 1, DEBIAN_WHEEL_PACKAGES, spec.stubs, generator, realWheels);
  const stamp = path.join(httpRoot, spec.dir, '.tslim-world-hash');
  if ((await readFile(stamp, 'utf8').catch(() => '')) === hash) {
    progress(`pip index ${spec.dir} up to date`);
    return;
  }
  const packagesName = spec.dir === 'simple' ? 'packages' : `${spec.dir}-packages`;
  const packagesDir = path.join(httpRoot, packagesName);
  await rm(packagesDir, { recursive: true, force: true });
  await mkdir(packagesDir, { recursive: true });
  for (const wheel of [...(await debianWheels()), ...(spec.wheels ?? [])])
    await copyFile(wheel, path.join(packagesDir, path.basename(wheel)));
  for (const p of spec.stubs)
    await run('python3', [path.join(worldSrcDir, 'make-wheel.py'), packagesDir, p.name, p.version], { quiet: true });

  const byProject = new Map<string, string[]>();
  for (const file of (await readdir(packagesDir)).filter((f) => f.endsWith('.whl')).sort()) {
    const project = normalizeName(file.split('-')[0]!);
    byProject.set(project, [...(byProject.get(project) ?? []), file]);
  }
  const tmp = path.join(httpRoot, `${spec.dir}.tmp`);
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
        return `<a href="../../${packagesName}/${f}#sha256=${sha}">${f}</a><br>`;
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
  await rm(path.join(httpRoot, spec.dir), { recursive: true, force: true });
  await rename(tmp, path.join(httpRoot, spec.dir));
  progress(`pip index ${spec.dir}: ${[...byProject.keys()].join(', ')}`);
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
