/**
 * The header blocks of one tar entry, without its body: what a layer's tar-split record keeps of
 * each entry (layer-tar-split.ts). tar-stream parses whole streams only and does not export its
 * header decoder, so this reads the few fields the layer view needs, POSIX (ustar + pax) and GNU
 * long names/links alike.
 */
export type TarEntryType = 'file' | 'link' | 'symlink' | 'directory' | 'other';

export interface TarHeaderFields {
  type: TarEntryType;
  /** Link target of a symlink or hard link (pax `linkpath` or GNU long link when over 100 bytes). */
  linkname: string;
}

const BLOCK = 512;
const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'link',
  '2': 'symlink',
  '5': 'directory',
};

/**
 * Reads the entry's own header from `raw`, the bytes tar puts before its body: `skip` bytes of
 * the previous body's padding, then any pax / GNU long-name blocks, then the ustar header, which
 * must end `raw` exactly (a check that the record was cut where this expects).
 */
export function decodeEntryHeader(raw: Buffer, skip: number): TarHeaderFields {
  let offset = skip;
  let linkname: string | undefined;
  while (offset + BLOCK <= raw.length) {
    const block = raw.subarray(offset, offset + BLOCK);
    const flag = String.fromCharCode(block[156] ?? 0);
    const size = octal(block.subarray(124, 136));
    const body = raw.subarray(offset + BLOCK, offset + BLOCK + size);
    const next = offset + BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x') linkname = paxField(body, 'linkpath') ?? linkname;
    else if (flag === 'K') linkname = cString(body);
    else if (flag !== 'g' && flag !== 'L') {
      if (offset + BLOCK !== raw.length) {
        throw new Error(`tar header ends at ${offset + BLOCK}, record has ${raw.length} bytes`);
      }
      return { type: TYPES[flag] ?? 'other', linkname: linkname ?? cString(block.subarray(157, 257)) };
    }
    offset = next;
  }
  throw new Error(`no tar header in a ${raw.length}-byte record (skip ${skip})`);
}

/** A NUL-terminated header field as text. */
export function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end < 0 ? bytes.length : end);
}

/** A numeric header field: octal text, or GNU base-256 (high bit set) for sizes of 8 GiB and more. */
export function octal(field: Buffer): number {
  if ((field[0] ?? 0) & 0x80) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    if (!Number.isSafeInteger(value)) throw new Error('a tar number field past 2^53');
    return value;
  }
  const text = cString(field).trim();
  const value = text === '' ? 0 : Number.parseInt(text, 8);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`bad tar size field ${JSON.stringify(text)}`);
  return value;
}

/** One field of a pax extended header. */
function paxField(body: Buffer, key: string): string | undefined {
  return paxRecords(body).get(key);
}

/** A pax extended header's records, "LEN key=value\n" each, LEN counting the whole record. */
export function paxRecords(body: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    const length = Number.parseInt(body.toString('ascii', offset, space), 10);
    if (space < 0 || !Number.isSafeInteger(length) || length <= 0) break;
    const record = body.toString('utf8', space + 1, offset + length - 1);
    const eq = record.indexOf('=');
    records.set(record.slice(0, eq), record.slice(eq + 1));
    offset += length;
  }
  return records;
}

/**
 * The entries of a whole POSIX tar whose entries have no bodies (directories only, as
 * layer-opaque.ts asks GNU tar for): each one's path and the records of the pax header before it.
 */
export function bodilessEntries(raw: Buffer): { path: string; pax: Map<string, string> }[] {
  const entries: { path: string; pax: Map<string, string> }[] = [];
  let pax = new Map<string, string>();
  for (let offset = 0; offset + BLOCK <= raw.length;) {
    const block = raw.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) break; // end of archive
    const flag = String.fromCharCode(block[156] ?? 0);
    const size = octal(block.subarray(124, 136));
    const body = raw.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x') {
      pax = paxRecords(body);
      continue;
    }
    if (flag === 'g') continue;
    if (size > 0) throw new Error(`tar entry with a ${size}-byte body where none was expected`);
    const name = cString(block.subarray(0, 100));
    const prefix = cString(block.subarray(345, 500));
    const path = pax.get('path') ?? (prefix ? `${prefix}/${name}` : name);
    entries.push({ path: path.replace(/\/+$/, ''), pax });
    pax = new Map();
  }
  return entries;
}
