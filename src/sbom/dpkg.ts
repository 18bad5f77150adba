/**
 * dpkg's database as the image holds it: /var/lib/dpkg/status (deb-control paragraphs, one per
 * package; https://man7.org/linux/man-pages/man5/deb-control.5.html) and info/<name>[:<arch>].list
 * (the paths each package installed). Only packages whose status says they are installed count:
 * a removed package whose config files stay ('deinstall ok config-files') has no files left.
 */
export interface DpkgPackage {
  name: string;
  /** As dpkg has it, epoch included (`1:2.3-4`). */
  version: string;
  architecture: string;
  /** Source package and its version when they differ from the binary's. */
  source?: { name: string; version: string };
  /** Installed-Size, KiB (dpkg's estimate). */
  installedKiB?: number;
  maintainer?: string;
  /** Homepage or none. */
  homepage?: string;
}

export function parseDpkgStatus(text: string): DpkgPackage[] {
  const packages: DpkgPackage[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of paragraph.split('\n')) {
      if (/^[ \t]/.test(line)) {
        if (last) fields.set(last, `${fields.get(last) ?? ''}\n${line.trim()}`);
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon).toLowerCase();
      fields.set(last, line.slice(colon + 1).trim());
    }
    const name = fields.get('package');
    const version = fields.get('version');
    if (!name || !version || !installed(fields.get('status'))) continue;
    const pkg: DpkgPackage = { name, version, architecture: fields.get('architecture') ?? 'all' };
    const source = /^(\S+)(?:\s+\((\S+)\))?/.exec(fields.get('source') ?? '');
    if (source?.[1]) pkg.source = { name: source[1], version: source[2] ?? version };
    const kib = Number(fields.get('installed-size'));
    if (Number.isFinite(kib) && kib > 0) pkg.installedKiB = kib;
    const maintainer = fields.get('maintainer');
    if (maintainer) pkg.maintainer = maintainer;
    const homepage = fields.get('homepage');
    if (homepage) pkg.homepage = homepage;
    packages.push(pkg);
  }
  return packages;
}

/** `Status: want flag state`: the state word says whether the package's files are there. */
function installed(status: string | undefined): boolean {
  const state = status?.split(/\s+/)[2];
  return (
    state === 'installed' || state === 'half-configured' || state === 'triggers-awaited' || state === 'triggers-pending'
  );
}

/** Where dpkg keeps a package's file list: `name:arch.list` for Multi-Arch: same packages, else `name.list`. */
export function listPaths(pkg: DpkgPackage): string[] {
  return [`var/lib/dpkg/info/${pkg.name}:${pkg.architecture}.list`, `var/lib/dpkg/info/${pkg.name}.list`];
}

/** The paths of a .list file, without the leading slash and without `/.`. */
export function parseList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().replace(/^\/+/, ''))
    .filter((line) => line.length > 0 && line !== '.');
}
