import { posix } from 'node:path';

/**
 * Python distributions as installers leave them: `*.dist-info/METADATA` (+ RECORD) for wheels,
 * `*.egg-info/PKG-INFO` (or a bare `*.egg-info` file) for setuptools installs, in each
 * site-packages and dist-packages directory. Core metadata format:
 * https://packaging.python.org/en/latest/specifications/core-metadata/
 */
export interface PythonDist {
  name: string;
  version: string;
  /** The metadata file read (no leading slash). */
  metadataPath: string;
  /** The dist-info/egg-info path. */
  infoPath: string;
  license?: string;
  /** Files the installer recorded (paths in the image), when it recorded them. */
  files?: string[];
}

const INFO = /^(.*\/(?:site|dist)-packages)\/([^/]+\.(dist-info|egg-info))(?:\/(METADATA|PKG-INFO))?$/;

/** The metadata files among the image's paths: dist-info/METADATA, egg-info/PKG-INFO, bare egg-info files. */
export function metadataFiles(paths: Iterable<[string, { type: string }]>): string[] {
  const found: string[] = [];
  for (const [path, entry] of paths) {
    const m = INFO.exec(path);
    if (!m) continue;
    const [, , , kind, file] = m;
    if (kind === 'dist-info' && file === 'METADATA') found.push(path);
    else if (kind === 'egg-info' && file === 'PKG-INFO') found.push(path);
    else if (kind === 'egg-info' && !file && entry.type !== 'directory') found.push(path);
  }
  return found.sort();
}

/** Name and version from a core-metadata header block (the body after the first blank line is the description). */
export function parseMetadata(text: string): { name?: string; version?: string; license?: string } {
  const head = text.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const out: { name?: string; version?: string; license?: string } = {};
  for (const line of head.split(/\r?\n/)) {
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]?.toLowerCase();
    const value = m[2]?.trim() ?? '';
    if (key === 'name' && out.name === undefined) out.name = value;
    else if (key === 'version' && out.version === undefined) out.version = value;
    else if (key === 'license-expression') out.license = value;
    else if (key === 'license' && out.license === undefined && value && value.length < 100 && value !== 'UNKNOWN')
      out.license = value;
  }
  return out;
}

/** The installed paths a RECORD (CSV: path,hash,size) names, resolved against its site directory. */
export function parseRecord(text: string, infoPath: string): string[] {
  const site = posix.dirname(infoPath);
  const paths: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    const file = line.startsWith('"')
      ? (/^"((?:[^"]|"")*)"/.exec(line)?.[1]?.replace(/""/g, '"') ?? '')
      : line.split(',')[0];
    if (!file) continue;
    paths.push(posix.resolve(`/${site}`, file).slice(1));
  }
  return paths;
}

/** installed-files.txt lists paths relative to the egg-info directory. */
export function parseInstalledFiles(text: string, infoPath: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim().length > 0)
    .map((line) => posix.resolve(`/${infoPath}`, line.trim()).slice(1));
}

/** PEP 503 normalized name: what pip and PyPI compare. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
