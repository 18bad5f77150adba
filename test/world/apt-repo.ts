import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDummyDeb, type BuiltDeb, type DebSpec } from './deb-package.js';
import { contentHash } from './hash.js';
import { progress } from './log.js';
import { cacheDir, httpRoot } from './paths.js';

/**
 * A flat apt repository (`deb [trusted=yes] URL ./`) under .world/http/<name>: dummy .debs plus
 * Packages, Packages.gz and Release. Rebuilt only when the package list changes.
 */
export async function ensureFlatRepo(name: string, specs: DebSpec[]): Promise<void> {
  const dir = path.join(httpRoot, name);
  const hash = contentHash('apt-repo', 1, specs);
  const stamp = path.join(dir, '.tslim-world-hash');
  if ((await readFile(stamp, 'utf8').catch(() => '')) === hash) {
    progress(`apt repo /${name} up to date (${specs.length} packages)`);
    return;
  }
  const tmp = `${dir}.tmp`;
  const work = path.join(cacheDir, `deb-${name}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await mkdir(work, { recursive: true });
  const debs: BuiltDeb[] = [];
  for (const spec of specs) debs.push(await buildDummyDeb(spec, tmp, work));
  const packages = debs
    .map(
      (d) =>
        `${d.control.trimEnd()}\nFilename: ./${path.basename(d.file)}\nSize: ${d.size}\nMD5sum: ${d.md5}\nSHA256: ${d.sha256}\n`,
    )
    .join('\n');
  const gz = gzipSync(packages);
  await writeFile(path.join(tmp, 'Packages'), packages);
  await writeFile(path.join(tmp, 'Packages.gz'), gz);
  const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');
  const release = [
    'Origin: tslim-world',
    `Label: tslim-world ${name}`,
    'Architectures: all amd64 arm64',
    `Date: ${new Date(0).toUTCString()}`,
    'SHA256:',
    ` ${sha(packages)} ${Buffer.byteLength(packages)} Packages`,
    ` ${sha(gz)} ${gz.length} Packages.gz`,
    '',
  ].join('\n');
  await writeFile(path.join(tmp, 'Release'), release);
  await writeFile(path.join(tmp, '.tslim-world-hash'), hash);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  await rm(work, { recursive: true, force: true });
  progress(`apt repo /${name}: ${specs.map((s) => s.name).join(', ')}`);
}
