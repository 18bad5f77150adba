import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../world/paths.js';

export const ALLOW_LIST_DOC = join(repoRoot, 'docs', 'double-conformance.md');

/**
 * The documented differences: rows of the table under the `<!-- allow-list -->` marker in
 * docs/double-conformance.md, `| \`request name\` | reason |`. Each reason must be non-empty.
 */
export function readAllowList(file = ALLOW_LIST_DOC): Map<string, string> {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('<!-- allow-list -->');
  if (start < 0) throw new Error(`${file} has no <!-- allow-list --> marker`);
  const allowed = new Map<string, string>();
  for (const line of text.slice(start).split('\n').slice(1)) {
    if (line.trim() === '') {
      if (allowed.size > 0) break;
      continue;
    }
    const m = /^\|\s*`([^`]+)`\s*\|\s*(.*?)\s*\|\s*$/.exec(line);
    if (!m) continue;
    if (!m[2]) throw new Error(`${file}: the allowed difference \`${m[1]}\` gives no reason`);
    allowed.set(m[1]!, m[2]);
  }
  return allowed;
}
