import type { OsRelease } from './facts.js';

/** Parses /etc/os-release (shell-style KEY=value, values optionally quoted). */
export function parseOsRelease(text: string): OsRelease | undefined {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m?.[1]) continue;
    values[m[1]] = unquote(m[2] ?? '');
  }
  if (!values.ID) return undefined;
  return {
    id: values.ID.toLowerCase(),
    idLike: (values.ID_LIKE ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((v) => v.toLowerCase()),
    versionId: values.VERSION_ID ?? '',
    ...(values.VERSION_CODENAME ? { codename: values.VERSION_CODENAME } : {}),
    ...(values.PRETTY_NAME ? { prettyName: values.PRETTY_NAME } : {}),
  };
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && (v.startsWith('"') || v.startsWith("'")) && v.endsWith(v.charAt(0))) {
    return v.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
  }
  return v;
}

/** apt for Debian/Ubuntu, dnf for RHEL-likes; undefined for anything else. */
export function packageFamily(os: OsRelease | undefined): 'apt' | 'dnf' | undefined {
  if (!os) return undefined;
  const ids = [os.id, ...os.idLike];
  if (ids.some((id) => id === 'debian' || id === 'ubuntu')) return 'apt';
  if (ids.some((id) => ['rhel', 'centos', 'fedora', 'rocky', 'almalinux'].includes(id))) return 'dnf';
  return undefined;
}
