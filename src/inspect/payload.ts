import type { Container } from '../docker/containers.js';
import { walkArchive } from '../docker/archive.js';
import type { Component, ComponentKind } from './facts.js';
import { compareText } from '../core/compare.js';

export const TRITON_ROOT = '/opt/tritonserver';

/**
 * Sizes of each component directory under /opt/tritonserver/<kind>, from one streamed tar of the
 * directory, bodies drained, never held: the fallback when the image has no usable du, as it reads
 * every payload byte. Counts what `du --all --apparent-size` counts (du-sizes.ts): every entry but
 * directories, a symlink by the length of its target text, a hard link once.
 */
export async function measureComponents(
  container: Container,
  kind: ComponentKind,
  signal?: AbortSignal,
): Promise<Component[] | undefined> {
  const totals = new Map<string, Component>();
  const found = await walkArchive(
    container,
    `${TRITON_ROOT}/${kind}`,
    (header) => {
      // entries are named "<kind>/<name>/..." relative to the parent of the requested path
      const parts = header.name.replace(/\/+$/, '').split('/');
      const name = parts[1];
      if (!name) return;
      const entry = totals.get(name) ?? { name, bytes: 0, files: 0 };
      if (header.type === 'symlink') {
        entry.bytes += Buffer.byteLength(header.linkname ?? '');
        entry.files += 1;
      } else if (header.type !== 'directory' && header.type !== 'link') {
        entry.bytes += header.size ?? 0;
        entry.files += 1;
      }
      totals.set(name, entry);
    },
    signal,
  );
  if (!found) return undefined;
  return [...totals.values()].sort((a, b) => compareText(a.name, b.name));
}
