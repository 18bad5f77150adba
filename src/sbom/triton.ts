import type { FileEntry } from './image-files.js';
import type { InventoryPackage } from './inventory-types.js';

const ROOT = 'opt/tritonserver';
const ROLES = [
  ['backends', 'backend'],
  ['repoagents', 'repoagent'],
  ['caches', 'cache'],
] as const;

/**
 * The Triton server and each backend, repository agent and cache under /opt/tritonserver. The
 * image states one version for all of them (TRITON_SERVER_VERSION, or /opt/tritonserver/TRITON_VERSION):
 * NVIDIA builds them from one release branch; a component carries no version of its own.
 */
export function tritonComponents(
  entries: ReadonlyMap<string, FileEntry>,
  version: string | undefined,
): InventoryPackage[] {
  if (entries.get(ROOT)?.type !== 'directory') return [];
  const sizes = new Map<string, number>();
  const add = (key: string, bytes: number): void => void sizes.set(key, (sizes.get(key) ?? 0) + bytes);
  const names = new Map<string, InventoryPackage['role']>();
  for (const [path, entry] of entries) {
    if (!path.startsWith(`${ROOT}/`)) continue;
    const parts = path.slice(ROOT.length + 1).split('/');
    const role = ROLES.find(([dir]) => dir === parts[0])?.[1];
    if (role && parts[1]) {
      const key = `${role}/${parts[1]}`;
      if (parts.length === 2 && (entry.type === 'directory' || entry.type === 'symlink')) names.set(key, role);
      if (entry.type === 'file') add(key, entry.size);
    } else if (entry.type === 'file') add('server/tritonserver', entry.size);
  }
  const out: InventoryPackage[] = [
    {
      kind: 'triton',
      name: 'tritonserver',
      version: version ?? 'unknown',
      bytes: sizes.get('server/tritonserver') ?? 0,
      completeness: 'complete',
      path: `/${ROOT}`,
      role: 'server',
    },
  ];
  for (const [key, role] of names) {
    const name = key.slice(key.indexOf('/') + 1);
    const dir = `${ROOT}/${role}s/${name}`;
    out.push({
      kind: 'triton',
      name: `${role}-${name}`,
      version: version ?? 'unknown',
      bytes: sizes.get(key) ?? 0,
      // trim never touches /opt/tritonserver (docs/trim.md): a component is there whole or not at all
      completeness: 'complete',
      path: `/${dir}`,
      ...(role ? { role } : {}),
    });
  }
  return out;
}
