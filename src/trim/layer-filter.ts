import { Transform, type TransformCallback } from 'node:stream';
import { TslimError } from '../core/errors.js';
import { cString, octal, paxRecords } from '../docker/tar-header.js';
import { normalizePath } from './fs-tree.js';

/** One entry of a layer tar as the filter sees it (after its pax / GNU long-name blocks). */
export interface LayerTarEntry {
  /** Absolute, normalized ("/usr/lib/x.so"); a whiteout keeps its `.wh.` name. */
  path: string;
  /** The ustar type flag: '0' file, '1' hard link, '2' symlink, '5' directory, ... */
  flag: string;
  /** Hard link target, normalized; symlink target as written. */
  linkname: string;
}

export interface LayerFilterStats {
  keptEntries: number;
  droppedEntries: number;
  /** Tar bytes left out (headers, bodies and padding of the dropped entries). */
  droppedBytes: number;
  /** Paths dropped (only kept for the hard-link check; a layer drops few). */
  dropped: Set<string>;
}

const BLOCK = 512;
/** Types whose size field is no body (Go's archive/tar reads them so; Docker writes their size 0). */
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);
/** Meta entries that belong to the entry after them. */
const META = new Set(['x', 'L', 'K']);
/** The most a meta entry may hold (pax records, a long name): more is not a tar any engine wrote. */
const MAX_META = 1 << 20;

/**
 * A layer tar with some entries left out, byte for byte otherwise: every kept entry's header
 * blocks (pax, GNU long name, ustar), body and padding pass unchanged, and so do the global pax
 * headers and the end-of-archive blocks after the last entry. So the same layer and the same
 * `drop` give the same bytes (the same diff id) whenever and wherever it runs, and whiteouts and
 * opaque markers stay unless `drop` names them. Bodies stream through; only header blocks are held.
 */
export class LayerFilter extends Transform {
  readonly stats: LayerFilterStats = { keptEntries: 0, droppedEntries: 0, droppedBytes: 0, dropped: new Set() };
  readonly #drop: (entry: LayerTarEntry) => boolean;
  /** Header blocks (meta + ustar) of the entry being read. */
  #head: Buffer[] = [];
  #headBytes = 0;
  /** Partial block carried to the next chunk. */
  #carry: Buffer = Buffer.alloc(0);
  /** Body bytes (with padding) still to pass or skip. */
  #body = 0;
  #keep = true;
  /** Meta blocks read so far for the coming entry: bytes of the meta body still to collect. */
  #metaLeft = 0;
  #meta: Buffer[] = [];
  #metaFlag = '';
  #metaSize = 0;
  #pax = new Map<string, string>();
  #longName: string | undefined;
  #longLink: string | undefined;
  /** After the end-of-archive block: the rest passes as it is. */
  #ended = false;

  constructor(drop: (entry: LayerTarEntry) => boolean) {
    super({ highWaterMark: 1 << 20 });
    this.#drop = drop;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.#consume(chunk);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (!this.#ended && (this.#body > 0 || this.#headBytes > 0 || this.#carry.length > 0))
      return done(new Error('the layer tar ends inside an entry'));
    if (this.#carry.length > 0) this.push(this.#carry);
    done();
  }

  #consume(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#ended) {
        this.push(at === 0 ? chunk : chunk.subarray(at));
        return;
      }
      if (this.#body > 0) {
        const n = Math.min(this.#body, chunk.length - at);
        if (this.#keep) this.push(chunk.subarray(at, at + n));
        else this.stats.droppedBytes += n;
        this.#body -= n;
        at += n;
        continue;
      }
      // a header (or meta body) block: whole blocks only
      let block: Buffer;
      if (this.#carry.length > 0 || chunk.length - at < BLOCK) {
        const need = BLOCK - this.#carry.length;
        const take = chunk.subarray(at, at + need);
        this.#carry = Buffer.concat([this.#carry, take]);
        at += take.length;
        if (this.#carry.length < BLOCK) return;
        block = this.#carry;
        this.#carry = Buffer.alloc(0);
      } else {
        block = chunk.subarray(at, at + BLOCK);
        at += BLOCK;
      }
      this.#block(block);
    }
  }

  #block(block: Buffer): void {
    if (this.#metaLeft > 0) {
      this.#hold(block);
      this.#meta.push(block);
      this.#metaLeft -= Math.min(BLOCK, this.#metaLeft);
      if (this.#metaLeft === 0) this.#readMeta();
      return;
    }
    if (this.#headBytes === 0 && block.every((b) => b === 0)) {
      // end of archive: this block and whatever follows (the second zero block, padding) stay
      this.#ended = true;
      this.push(Buffer.from(block));
      return;
    }
    const flag = String.fromCharCode(block[156] ?? 0);
    const size =
      this.#pax.has('size') && !META.has(flag) && flag !== 'g'
        ? Number(this.#pax.get('size'))
        : octal(block.subarray(124, 136));
    if (flag === 'g') {
      // a global pax header applies to every entry after it: always kept, never a drop decision
      this.push(Buffer.from(block));
      this.#keep = true;
      this.#body = padded(size);
      return;
    }
    this.#hold(block);
    if (META.has(flag)) {
      if (size > MAX_META) throw new Error(`a ${size}-byte tar meta entry ('${flag}')`);
      this.#metaFlag = flag;
      this.#metaSize = size;
      this.#metaLeft = size;
      this.#meta = [];
      if (size === 0) this.#readMeta();
      return;
    }
    const entry: LayerTarEntry = {
      path: normalizePath(this.#pax.get('path') ?? this.#longName ?? ustarName(block)),
      flag: flag === '\0' ? '0' : flag,
      linkname: this.#pax.get('linkpath') ?? this.#longLink ?? cString(block.subarray(157, 257)),
    };
    if (entry.flag === '1') entry.linkname = normalizePath(entry.linkname);
    this.#keep = !this.#drop(entry);
    if (this.#keep) {
      if (entry.flag === '1' && this.stats.dropped.has(entry.linkname))
        throw new TslimError(
          'INTERNAL',
          `a layer keeps the hard link ${entry.path} to ${entry.linkname}, which the trim removes from that layer`,
          { hint: `keep both with --keep '${entry.linkname}'` },
        );
      this.stats.keptEntries++;
      for (const b of this.#head) this.push(b);
    } else {
      this.stats.droppedEntries++;
      this.stats.droppedBytes += this.#headBytes;
      this.stats.dropped.add(entry.path);
    }
    this.#head = [];
    this.#headBytes = 0;
    this.#pax = new Map();
    this.#longName = undefined;
    this.#longLink = undefined;
    this.#body = HEADER_ONLY.has(entry.flag) ? 0 : padded(size);
  }

  /** Keeps a header block until the entry's fate is known (a copy: the chunk may be reused). */
  #hold(block: Buffer): void {
    this.#head.push(Buffer.from(block));
    this.#headBytes += BLOCK;
  }

  #readMeta(): void {
    const data = Buffer.concat(this.#meta).subarray(0, this.#metaSize);
    if (this.#metaFlag === 'x') for (const [k, v] of paxRecords(data)) this.#pax.set(k, v);
    else if (this.#metaFlag === 'L') this.#longName = cString(data);
    else this.#longLink = cString(data);
    this.#meta = [];
  }
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function ustarName(block: Buffer): string {
  const name = cString(block.subarray(0, 100));
  const prefix = block.toString('latin1', 257, 262) === 'ustar' ? cString(block.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}
