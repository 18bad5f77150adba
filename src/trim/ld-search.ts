/**
 * Where ld.so finds a DT_NEEDED name, in glibc's order (ld.so(8), "Rules"): a name with a slash is a
 * path; else DT_RPATH of the object and of its loaders (only while none has DT_RUNPATH),
 * LD_LIBRARY_PATH, DT_RUNPATH of the object, the ld.so.cache (the dirs of ld.so.conf), then the
 * default dirs, unless DF_1_NODEFLIB. $ORIGIN, $LIB and $PLATFORM are expanded.
 */
import type { ElfInfo } from './elf.js';
import { basename, dirname, normalizePath, type FsTree } from './fs-tree.js';

export interface LoadedObject {
  /** The path it was found by (symlinks not resolved): $ORIGIN is its directory. */
  path: string;
  elf: ElfInfo;
}

export interface SearchEnv {
  ldLibraryPath: string[];
  /** ld.so.conf's dirs, in its order (what ldconfig puts in the cache). */
  cacheDirs: string[];
}

export interface Found {
  /** The path ld.so opens. */
  path: string;
  /** The real file behind it. */
  real: string;
  /** Symlinks on the way, which must stay. */
  via: string[];
}

const TRIPLETS: Record<number, string> = { 62: 'x86_64-linux-gnu', 183: 'aarch64-linux-gnu', 3: 'i386-linux-gnu' };
const PLATFORMS: Record<number, string> = { 62: 'x86_64', 183: 'aarch64', 3: 'i686' };

/** glibc's trusted dirs on a Debian/Ubuntu multiarch build. */
export function defaultDirs(elf: ElfInfo): string[] {
  const triplet = TRIPLETS[elf.machine];
  const multi = triplet ? [`/lib/${triplet}`, `/usr/lib/${triplet}`] : [];
  return [...multi, ...(elf.bits === 64 ? ['/lib64', '/usr/lib64'] : []), '/lib', '/usr/lib'];
}

export function expandTokens(dir: string, object: LoadedObject): string {
  const triplet = TRIPLETS[object.elf.machine];
  return dir
    .replace(/\$(\{ORIGIN\}|ORIGIN)/g, dirname(object.path))
    .replace(/\$(\{LIB\}|LIB)/g, triplet ? `lib/${triplet}` : 'lib')
    .replace(/\$(\{PLATFORM\}|PLATFORM)/g, PLATFORMS[object.elf.machine] ?? '');
}

/** The dirs searched for `object`'s needs, in order; `loaders` runs from its loader up to the executable. */
export function searchOrder(object: LoadedObject, loaders: LoadedObject[], env: SearchEnv): string[] {
  const dirs: string[] = [];
  if (object.elf.runpath.length === 0) {
    for (const o of [object, ...loaders]) {
      if (o.elf.runpath.length > 0) break;
      dirs.push(...o.elf.rpath.map((d) => expandTokens(d, o)));
    }
  }
  dirs.push(...env.ldLibraryPath);
  dirs.push(...object.elf.runpath.map((d) => expandTokens(d, object)));
  if (!object.elf.noDefaultLib) dirs.push(...env.cacheDirs, ...defaultDirs(object.elf));
  return dirs.filter((d) => d.startsWith('/')).map(normalizePath);
}

/** Finds `name` for `object`, skipping files of another class or machine as ld.so does. */
export function findNeeded(
  tree: FsTree,
  name: string,
  object: LoadedObject,
  loaders: LoadedObject[],
  env: SearchEnv,
): Found | undefined {
  const candidates = name.includes('/')
    ? [normalizePath(name.startsWith('/') ? name : `${dirname(object.path)}/${name}`)]
    : [...new Set(searchOrder(object, loaders, env))].map((d) => `${d}/${name}`);
  for (const path of candidates) {
    const resolved = tree.resolve(path);
    if (!resolved || !tree.isFile(resolved.path)) continue;
    const elf = tree.elfOf(resolved.path);
    if (elf?.bits !== object.elf.bits || elf.machine !== object.elf.machine) continue;
    return { path, real: resolved.path, via: resolved.via };
  }
  return undefined;
}

/** Dirs named by /etc/ld.so.conf and its `include` globs (ldconfig's order), read from the tree. */
export function ldSoConfDirs(tree: FsTree, read: (path: string) => string | undefined): string[] {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string, depth: number): void => {
    if (depth > 8 || seen.has(path)) return;
    seen.add(path);
    const text = read(path);
    if (text === undefined) return;
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) continue;
      const include = /^include\s+(.+)$/.exec(line);
      if (include) for (const file of globFiles(tree, include[1]!.trim(), dirname(path))) visit(file, depth + 1);
      else dirs.push(...line.split(/[\s:,]+/).filter((d) => d.startsWith('/')));
    }
  };
  visit('/etc/ld.so.conf', 0);
  return dirs.map(normalizePath);
}

/** `include` takes a glob in its last component (e.g. /etc/ld.so.conf.d/*.conf). */
function globFiles(tree: FsTree, pattern: string, base: string): string[] {
  const full = normalizePath(pattern.startsWith('/') ? pattern : `${base}/${pattern}`);
  const dir = tree.resolve(dirname(full));
  if (!dir) return [];
  const re = new RegExp(
    '^' +
      basename(full)
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  return tree
    .list(dir.path)
    .filter((n) => re.test(n))
    .map((n) => `${dir.path}/${n}`);
}
