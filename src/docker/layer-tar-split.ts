import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { decodeEntryHeader, type TarEntryType } from './tar-header.js';

/**
 * One entry of a layer as its tar had it, path without a leading "./" or trailing "/". Whiteouts
 * are their own kinds: `whiteout` removes `path` from the layers below, `opaque` everything under
 * the directory `path`.
 */
export interface LayerEntry {
  path: string;
  type: TarEntryType | 'whiteout' | 'opaque';
  /**
   * Body size (regular files). A hard link's is its target's when that is a wanted entry of the
   * same layer, else -1: unknown (only wanted entries are kept, a set kept small on purpose).
   */
  size: number;
  linkname?: string;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const SEGMENT = Buffer.from('{"type":2,"payload":"');
const POSITION = Buffer.from('","position":');
const ENTRY = Buffer.from('{"type":1,"name":"');
const SIZE = Buffer.from('"size":');
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** zlib's default 16 KiB output chunks make the gunzip several times slower here. */
const CHUNK = 256 * 1024;

/** A tar-split record: 1 = an entry (name, body size), 2 = raw bytes (padding and header blocks). */
interface Record {
  type: number;
  name?: string;
  name_raw?: string;
  size?: number;
  payload?: string | null;
}

/**
 * Reads the entries of one layer from the engine's tar-split record of it (layerdb/…/
 * tar-split.json.gz: gzipped JSON lines, kept by Docker to rebuild the layer's exact tar). Metadata
 * only: the file bodies are not in it, so its time follows the number of entries, not the bytes.
 * Only entries whose path `wanted` accepts are kept (and their headers decoded): memory stays small.
 */
export async function readLayerTarSplit(
  file: string,
  wanted: (path: string) => boolean,
  signal?: AbortSignal,
): Promise<LayerEntry[]> {
  const reader = new TarSplitLines(wanted);
  const gunzip = pipeline(
    createReadStream(file, { highWaterMark: CHUNK }),
    createGunzip({ chunkSize: CHUNK }),
    () => undefined, // errors reach the loop; leaving it (abort, bad record) destroys both streams
  );
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    signal?.throwIfAborted();
    reader.push(chunk);
  }
  return reader.finish();
}

/** The record lines of one layer, fed in chunks. */
class TarSplitLines {
  readonly #entries: LayerEntry[] = [];
  /** The wanted regular files' sizes, for a hard link to one of them. */
  readonly #sizes = new Map<string, number>();
  /**
   * Where the base64 of the raw records since the last entry lies (chunk, start, end; the first
   * #segmentCount slots), decoded only when that entry is wanted: most records are raw bytes and
   * most entries are not wanted. Slots are reused: no allocation per record.
   */
  readonly #segments: { chunks: Buffer[]; starts: number[]; ends: number[] } = { chunks: [], starts: [], ends: [] };
  #segmentCount = 0;
  #previousSize = 0;
  #rest: Buffer | undefined;

  constructor(readonly wanted: (path: string) => boolean) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (this.#rest) {
      // only the line cut by the chunk boundary is copied
      const end = chunk.indexOf(NEWLINE);
      if (end < 0) {
        this.#rest = Buffer.concat([this.#rest, chunk]);
        return;
      }
      const line = Buffer.concat([this.#rest, chunk.subarray(0, end)]);
      this.#line(line, 0, line.length);
      start = end + 1;
    }
    for (let end = chunk.indexOf(NEWLINE, start); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      this.#line(chunk, start, end);
      start = end + 1;
    }
    this.#rest = start < chunk.length ? chunk.subarray(start) : undefined;
  }

  finish(): LayerEntry[] {
    if (this.#rest) this.#line(this.#rest, 0, this.#rest.length);
    this.#rest = undefined;
    return this.#entries;
  }

  #line(data: Buffer, start: number, end: number): void {
    if (end === start) return;
    // raw-byte records, as Docker writes them: the base64 is located, not parsed or copied
    // ({"type":2,"payload":"…","position":N}: Go writes the fields in this order), not parsed
    if (startsWith(data, start, end, SEGMENT)) {
      const close = data.lastIndexOf(POSITION, end);
      if (close >= start + SEGMENT.length) {
        this.#segment(data, start + SEGMENT.length, close);
        return;
      }
    }
    // entry records ({"type":1,"name":"…","size":N,…}): name and size read in place unless escaped
    if (startsWith(data, start, end, ENTRY)) {
      const close = data.indexOf(QUOTE, start + ENTRY.length);
      if (close > 0 && close < end && !hasByte(data, BACKSLASH, start + ENTRY.length, close)) {
        const sizeAt = data.indexOf(SIZE, close);
        const size = sizeAt > 0 && sizeAt < end ? readNumber(data, sizeAt + SIZE.length) : 0;
        this.#entry(data.toString('utf8', start + ENTRY.length, close), size);
        return;
      }
    }
    const record = JSON.parse(data.toString('utf8', start, end)) as Record;
    if (record.type === 2) {
      const payload = Buffer.from(record.payload ?? '', 'latin1');
      this.#segment(payload, 0, payload.length);
    } else if (record.type === 1) {
      this.#entry(record.name ?? Buffer.from(record.name_raw ?? '', 'base64').toString('utf8'), record.size ?? 0);
    } else {
      throw new Error(`unknown tar-split record type ${record.type}`);
    }
  }

  #segment(data: Buffer, start: number, end: number): void {
    const i = this.#segmentCount;
    this.#segments.chunks[i] = data;
    this.#segments.starts[i] = start;
    this.#segments.ends[i] = end;
    this.#segmentCount = i + 1;
  }

  #entry(name: string, size: number): void {
    const skip = (512 - (this.#previousSize % 512)) % 512;
    this.#previousSize = size;
    const entry = toEntry(name, size);
    const keep = this.wanted(entry.path);
    // only regular files have a body: the size is theirs without reading the header
    if (keep && size > 0 && entry.type === 'file') this.#sizes.set(entry.path, size);
    if (keep && entry.type === 'file') {
      const header = decodeEntryHeader(this.#rawBytes(), skip);
      entry.type = header.type;
      if (header.type === 'symlink') entry.linkname = header.linkname;
      if (header.type === 'link') {
        entry.linkname = normalize(header.linkname);
        entry.size = this.#sizes.get(entry.linkname) ?? (this.wanted(entry.linkname) ? 0 : -1);
      }
    }
    if (keep) this.#entries.push(entry);
    this.#segmentCount = 0;
  }

  #rawBytes(): Buffer {
    const { chunks, starts, ends } = this.#segments;
    return Buffer.concat(chunks.map((chunk, i) => Buffer.from(chunk.toString('latin1', starts[i], ends[i]), 'base64')));
  }
}

/** data[start…end) begins with prefix (a loop: cheaper than Buffer#compare's call, per record). */
function startsWith(data: Buffer, start: number, end: number, prefix: Buffer): boolean {
  if (end - start < prefix.length) return false;
  for (let i = prefix.length - 1; i >= 0; i -= 1) if (data[start + i] !== prefix[i]) return false;
  return true;
}

function hasByte(data: Buffer, byte: number, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) if (data[i] === byte) return true;
  return false;
}

/** The decimal digits at data[at…]. */
function readNumber(data: Buffer, at: number): number {
  let value = 0;
  for (let i = at; i < data.length; i += 1) {
    const digit = (data[i] ?? 0) - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}

function toEntry(name: string, size: number): LayerEntry {
  const path = normalize(name);
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  const dir = slash < 0 ? '' : path.slice(0, slash);
  if (base === OPAQUE) return { path: dir, type: 'opaque', size: 0 };
  if (base.startsWith(WHITEOUT)) {
    const hidden = base.slice(WHITEOUT.length);
    return { path: dir ? `${dir}/${hidden}` : hidden, type: 'whiteout', size: 0 };
  }
  // the header tells the type; 'file' until it is read
  return { path, type: 'file', size };
}

/** "./etc/", "/etc" and "etc" are the same path: "etc". (Index arithmetic: it runs per entry.) */
export function normalize(name: string): string {
  let start = 0;
  let end = name.length;
  for (;;) {
    if (name.startsWith('./', start)) start += 2;
    else if (name.startsWith('/', start)) start += 1;
    else break;
  }
  while (end > start && name.charCodeAt(end - 1) === 0x2f) end -= 1;
  return start === 0 && end === name.length ? name : name.slice(start, end);
}
