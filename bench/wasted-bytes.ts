/**
 * Wasted bytes of an image: bytes of regular files that a lower layer ships and a later layer
 * overwrites (any entry at the same path) or removes (whiteout `.wh.NAME`, or an opaque directory
 * `.wh..wh..opq`; OCI image-spec layer.md "Whiteouts"). They are in the image's size but no
 * container can see them.
 *
 * Reads `docker save` as a stream (tar-stream): each layer tar is hashed on the fly to its diff id
 * (the save archive's manifest comes last, so the order comes from RootFS.Layers), and only
 * (path, size) per file is kept, never content, so memory grows with the file count only.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';

export type LayerEntry =
  { path: string; size: number; kind: 'file' } | { path: string; kind: 'dir' | 'other' | 'whiteout' | 'opaque' };

export interface Wasted {
  /** Sum of regular-file bytes over all layers. */
  layerBytes: number;
  /** Overwritten or removed by a later layer. */
  wastedBytes: number;
  wastedFiles: number;
}

const norm = (p: string): string => path.posix.normalize('/' + p).replace(/\/$/, '') || '/';

/** The pure part: layers in order (lowest first), entries as read from each layer tar. */
export function countWasted(layers: LayerEntry[][]): Wasted {
  const live = new Map<string, number>(); // path -> size of the visible regular file
  let layerBytes = 0;
  let wastedBytes = 0;
  let wastedFiles = 0;
  const drop = (p: string): void => {
    const size = live.get(p);
    if (size === undefined) return;
    wastedBytes += size;
    wastedFiles += 1;
    live.delete(p);
  };
  const dropUnder = (dir: string): void => {
    const prefix = dir === '/' ? '/' : dir + '/';
    for (const p of [...live.keys()]) if (p.startsWith(prefix)) drop(p);
  };
  for (const layer of layers) {
    // Whiteouts and opaque markers apply to lower layers only, so handle them before this layer's files.
    for (const e of layer) {
      if (e.kind === 'opaque') dropUnder(norm(path.posix.dirname(e.path)));
      if (e.kind === 'whiteout') {
        const target = norm(
          path.posix.join(path.posix.dirname(e.path), path.posix.basename(e.path).slice('.wh.'.length)),
        );
        drop(target);
        dropUnder(target);
      }
    }
    for (const e of layer) {
      if (e.kind === 'whiteout' || e.kind === 'opaque') continue;
      const p = norm(e.path);
      drop(p); // a file, link or directory replaces a lower file at the same path
      if (e.kind === 'dir') continue; // a directory over a directory merges
      dropUnder(p); // a file or link over a lower directory hides all of it
      if (e.kind === 'file') {
        layerBytes += e.size;
        live.set(p, e.size);
      }
    }
  }
  return { layerBytes, wastedBytes, wastedFiles };
}

function classify(name: string, type: string | null | undefined, size: number): LayerEntry {
  const base = path.posix.basename(name);
  if (base === '.wh..wh..opq') return { path: name, kind: 'opaque' };
  if (base.startsWith('.wh.')) return { path: name, kind: 'whiteout' };
  if (type === 'file' || type === 'contiguous-file') return { path: name, size, kind: 'file' };
  return { path: name, kind: type === 'directory' ? 'dir' : 'other' };
}

/** Entries of one layer tar, and the sha256 of its bytes (the layer's diff id). */
export async function readLayer(stream: Readable): Promise<{ diffId: string; entries: LayerEntry[] }> {
  const hash = createHash('sha256');
  const entries: LayerEntry[] = [];
  const inner = extract();
  inner.on('entry', (header, body, next) => {
    entries.push(classify(header.name, header.type, header.size ?? 0));
    body.on('end', next);
    body.resume();
  });
  const done = new Promise<void>((resolve, reject) => {
    inner.on('finish', resolve);
    inner.on('error', reject);
    stream.on('error', reject);
  });
  stream.on('data', (chunk: Buffer) => hash.update(chunk));
  stream.pipe(inner);
  await done;
  return { diffId: `sha256:${hash.digest('hex')}`, entries };
}

/** `docker save IMAGE` streamed; layers ordered by the image's RootFS.Layers (diff ids). */
export async function imageWastedBytes(image: string, diffIds: string[]): Promise<Wasted> {
  const byDiff = new Map<string, LayerEntry[]>();
  const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'inherit'] });
  const outer = extract();
  outer.on('entry', (header, body, next) => {
    // Engine 20.10's save format: <v1 id>/layer.tar per layer.
    if (header.name.endsWith('/layer.tar')) {
      readLayer(body as unknown as Readable).then(
        (layer) => {
          byDiff.set(layer.diffId, layer.entries);
          next();
        },
        (error: unknown) => outer.destroy(error as Error),
      );
    } else {
      body.on('end', next);
      body.resume();
    }
  });
  await new Promise<void>((resolve, reject) => {
    outer.on('finish', resolve);
    outer.on('error', reject);
    save.on('error', reject);
    save.stdout.pipe(outer);
  });
  const code = await new Promise<number | null>((resolve) =>
    save.exitCode !== null ? resolve(save.exitCode) : save.on('close', resolve),
  );
  if (code !== 0) throw new Error(`docker save ${image} exited ${code}`);
  const layers = diffIds.map((id) => {
    const entries = byDiff.get(id);
    if (!entries) throw new Error(`docker save ${image}: no layer with diff id ${id}`);
    return entries;
  });
  return countWasted(layers);
}
