/** A path glob as a RegExp: `**` any depth, `*` within one name, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** --keep GLOB: absolute globs match whole paths; a glob without `/` matches a file name anywhere. */
export function keepMatcher(globs: readonly string[]): (path: string) => boolean {
  const res = globs.map((g) => ({ re: globToRegExp(g), byName: !g.includes('/') }));
  return (path) => res.some(({ re, byName }) => re.test(byName ? path.slice(path.lastIndexOf('/') + 1) : path));
}
