import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './run.js';

export interface DebSpec {
  name: string;
  version: string;
  description: string;
}

export interface BuiltDeb {
  spec: DebSpec;
  file: string;
  size: number;
  sha256: string;
  md5: string;
  control: string;
}

/**
 * A dummy Architecture: all package that installs only a marker file,
 * /usr/share/tslim-fixture/<name> (not under /usr/share/doc: minimized images exclude that).
 */
export async function buildDummyDeb(spec: DebSpec, outDir: string, workDir: string): Promise<BuiltDeb> {
  const root = path.join(workDir, spec.name);
  await rm(root, { recursive: true, force: true });
  await mkdir(path.join(root, 'DEBIAN'), { recursive: true });
  await mkdir(path.join(root, 'usr/share/tslim-fixture'), { recursive: true });
  const control = [
    `Package: ${spec.name}`,
    `Version: ${spec.version}`,
    'Architecture: all',
    'Maintainer: tslim test world <tslim@localhost>',
    'Section: misc',
    'Priority: optional',
    `Description: ${spec.description}`,
    ' Installs only /usr/share/tslim-fixture/' + spec.name + "; built by tslim's test world.",
    '',
  ].join('\n');
  await writeFile(path.join(root, 'DEBIAN/control'), control);
  await writeFile(path.join(root, 'usr/share/tslim-fixture', spec.name), `${spec.name} ${spec.version}\n`);
  const file = path.join(outDir, `${spec.name}_${spec.version.replace(/^\d+:/, '')}_all.deb`);
  await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, file], { quiet: true });
  const bytes = await readFile(file);
  return {
    spec,
    file,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    md5: createHash('md5').update(bytes).digest('hex'),
    control,
  };
}
