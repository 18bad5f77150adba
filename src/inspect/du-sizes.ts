import { StringDecoder } from 'node:string_decoder';
import type { Container } from '../docker/containers.js';
import { runToExit } from '../docker/containers.js';
import type { ScratchCommand } from '../docker/archive.js';
import type { Component, ComponentKind } from './facts.js';
import { TRITON_ROOT } from './payload.js';
import { compareText } from '../core/compare.js';

const KINDS: readonly ComponentKind[] = ['backends', 'repoagents', 'caches'];

/**
 * GNU du run as the container's entrypoint (no shell): every entry under /opt/tritonserver with
 * its apparent size in bytes, NUL-terminated so any file name parses. A du without -0 or -b
 * (busybox) exits non-zero and inspect falls back to the streamed archive.
 */
export const DU_COMMAND: ScratchCommand = {
  entrypoint: ['du'],
  cmd: ['--all', '--apparent-size', '--block-size=1', '--null', TRITON_ROOT],
  // root, as the archive endpoint reads: a du as the image's user could miss unreadable files
  user: '0',
};

export type DuSizes = Record<ComponentKind, Component[]>;
export type DuResult = { sizes: DuSizes; streamKinds: ComponentKind[] } | { unusable: string };

/**
 * Folds du's output, record by record, into component sizes. du prints a directory after its
 * contents, so an entry is a directory exactly when the record just before it lies under it; the
 * others (files, symlinks, devices) are summed as the streamed path sums non-directory entries.
 * An empty directory below a component prints like a file (its own size): du cannot tell them
 * apart. Holds one record and one total per component, whatever the payload's size.
 */
export class DuFolder {
  readonly #totals = new Map<ComponentKind, Map<string, Component>>(KINDS.map((k) => [k, new Map()]));
  readonly #decoder = new StringDecoder('utf8');
  #pending = '';
  #previous = '';
  #malformed: string | undefined;
  /** Kinds whose path is no directory with entries (a symlink, say): du's view may be wrong there. */
  readonly #odd = new Set<ComponentKind>();

  push(chunk: Buffer): void {
    const records = (this.#pending + this.#decoder.write(chunk)).split('\0');
    this.#pending = records.pop() ?? '';
    for (const record of records) this.#record(record);
  }

  /** The sizes and the kinds to measure another way, or why du's output cannot be used at all. */
  finish(): DuResult {
    const rest = this.#pending + this.#decoder.end();
    if (rest !== '') return { unusable: `du output ends mid-record: ${JSON.stringify(rest.slice(0, 200))}` };
    if (this.#malformed) return { unusable: `du printed ${JSON.stringify(this.#malformed.slice(0, 200))}` };
    const sizes = {} as DuSizes;
    for (const kind of KINDS) {
      sizes[kind] = [...(this.#totals.get(kind)?.values() ?? [])].sort((a, b) => compareText(a.name, b.name));
    }
    return { sizes, streamKinds: [...this.#odd] };
  }

  #record(record: string): void {
    const tab = record.indexOf('\t');
    const path = record.slice(tab + 1);
    const bytes = Number(record.slice(0, tab));
    const isDir = this.#previous.startsWith(`${path}/`);
    this.#previous = path;
    if (tab < 0 || !Number.isSafeInteger(bytes)) {
      this.#malformed ??= record;
      return;
    }
    if (!path.startsWith(`${TRITON_ROOT}/`)) return;
    const [kind, name] = path.slice(TRITON_ROOT.length + 1).split('/');
    if (!kind || !(KINDS as readonly string[]).includes(kind)) return;
    const totals = this.#totals.get(kind as ComponentKind);
    if (!totals) return;
    if (!name) {
      if (!isDir) this.#odd.add(kind as ComponentKind);
      return;
    }
    const entry = totals.get(name) ?? { name, bytes: 0, files: 0 };
    if (!isDir) {
      entry.bytes += bytes;
      entry.files += 1;
    }
    totals.set(name, entry);
  }
}

/**
 * Runs du in the (created, not yet started) scratch container made with DU_COMMAND and folds its
 * output; `unusable` when du is missing, fails, or prints something this does not understand.
 */
export async function measureWithDu(container: Container, signal?: AbortSignal): Promise<DuResult> {
  const folder = new DuFolder();
  let result;
  try {
    result = await runToExit(container, (chunk) => folder.push(chunk), signal);
  } catch (cause) {
    if (signal?.aborted) throw cause;
    return { unusable: (cause as Error).message };
  }
  if (result.exitCode !== 0) {
    const said = result.stderr.trim().split('\n')[0] ?? '';
    return { unusable: `du exited ${result.exitCode}${said ? `: ${said}` : ''}` };
  }
  return folder.finish();
}
