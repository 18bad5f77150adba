import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { aptPackages } from './recipe-packages.js';
import { contentHash, HASH_LABEL } from './hash.js';
import { followStream, imageHash } from './engine.js';
import { progress } from './log.js';
import { cacheDir, worldSrcDir } from './paths.js';
import { run } from './run.js';

export const BASE_TAG = 'tslim-fixture/base:bookworm';
/** Label listing the recipe apt names bookworm lacks; they become dummy .debs in /apt. */
export const DUMMIES_LABEL = 'dev.tslim.world.dummies';

/** Packages every fixture image needs whatever the recipes say (the double runs on python3). */
const BASE_INCLUDES = ['bash', 'python3', 'ca-certificates'];

const DPKG_EXCLUDES = [
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
  'path-include=/usr/share/locale/locale.alias',
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
];

export interface BaseImage {
  tag: string;
  hash: string;
  /** Recipe apt names bookworm does not have. */
  dummies: string[];
}

/** mmdebstrap bookworm minbase + recipe packages, imported as `tslim-fixture/base:bookworm`. */
export async function ensureBaseImage(engine: Docker, aptUrl: string): Promise<BaseImage> {
  const mirror = process.env.TSLIM_WORLD_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
  const aptLine = `deb [trusted=yes] ${aptUrl} ./`;
  const hook = await readFile(path.join(worldSrcDir, 'base-customize.sh'), 'utf8');
  const names = [...new Set(aptPackages)].sort();
  const hash = contentHash('base', BASE_INCLUDES, DPKG_EXCLUDES, names, hook, aptLine, mirror);
  if ((await imageHash(engine, BASE_TAG)) === hash) {
    const info = await engine.getImage(BASE_TAG).inspect();
    const dummies = (info.Config?.Labels?.[DUMMIES_LABEL] ?? '').split(',').filter(Boolean);
    progress(`base ${BASE_TAG} up to date`);
    return { tag: BASE_TAG, hash, dummies };
  }
  progress(`building ${BASE_TAG} with mmdebstrap (bookworm minbase + ${names.length} recipe names)`);
  const work = path.join(cacheDir, 'base');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const namesFile = path.join(work, 'names.txt');
  const missingFile = path.join(work, 'missing.txt');
  const tarFile = path.join(work, 'rootfs.tar');
  await writeFile(namesFile, names.join('\n') + '\n');
  const hookCmd = `sh ${quote(path.join(worldSrcDir, 'base-customize.sh'))} "$1" ${quote(namesFile)} ${quote(missingFile)} ${quote(aptLine)}`;
  await run('mmdebstrap', [
    '--variant=minbase',
    '--aptopt=APT::Install-Recommends "false"',
    // Like Ubuntu's minimized images: no man pages, docs or translations (saves ~130 MB).
    ...DPKG_EXCLUDES.map((rule) => `--dpkgopt=${rule}`),
    `--include=${BASE_INCLUDES.join(',')}`,
    `--customize-hook=${hookCmd}`,
    '--format=tar',
    'bookworm',
    tarFile,
    mirror,
  ]);
  const dummies = (await readFile(missingFile, 'utf8')).split('\n').filter(Boolean);
  const stream = await engine.importImage(createReadStream(tarFile), {
    repo: 'tslim-fixture/base',
    tag: 'bookworm',
    changes: [
      `LABEL ${HASH_LABEL}=${hash} ${DUMMIES_LABEL}=${dummies.join(',') || '""'}`,
      'CMD ["bash"]',
      'ENV LANG=C.UTF-8',
    ],
  } as unknown as Record<string, unknown>);
  await followStream(stream, `import of ${BASE_TAG}`);
  await rm(work, { recursive: true, force: true });
  progress(`base ${BASE_TAG} imported; dummies for: ${dummies.join(', ') || '(none)'}`);
  return { tag: BASE_TAG, hash, dummies };
}

function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
