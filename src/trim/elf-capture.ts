import { NeedBytes, dynamicSegment, isElfMagic, prefixReader, readElf, type ByteReader, type ElfInfo } from './elf.js';

/** How much of a streamed file's start is held: headers, .dynsym and .dynstr of nearly every library. */
export const PREFIX_BYTES = 8 << 20;
/** The most of one range (PT_DYNAMIC) held past the prefix. */
const MAX_RANGE = 1 << 20;

export type CaptureResult =
  | { kind: 'not-elf' }
  | { kind: 'elf'; info: ElfInfo }
  /** The string table lies past the prefix: read this range of the file, then call readElf again. */
  | { kind: 'need'; offset: number; length: number };

/**
 * Reads an ELF file's dynamic facts from its bytes as they stream past (a tar entry), holding only a
 * bounded prefix and the PT_DYNAMIC range: memory stays flat whatever the file's size.
 */
export class ElfCapture {
  private readonly prefix: Buffer[] = [];
  private readonly extra: { offset: number; bytes: Buffer }[] = [];
  private prefixLength = 0;
  private seen = 0;
  private dynamic: { offset: number; length: number; chunks: Buffer[] } | undefined;
  private checked = false;
  private elf = true;

  constructor(private readonly prefixBytes = PREFIX_BYTES) {}

  push(chunk: Buffer): void {
    if (!this.elf) return;
    const start = this.seen;
    this.seen += chunk.length;
    if (this.prefixLength < this.prefixBytes) {
      const take = chunk.subarray(0, this.prefixBytes - this.prefixLength);
      this.prefix.push(take);
      this.prefixLength += take.length;
    }
    if (!this.checked && this.prefixLength >= 16) this.locateDynamic();
    const d = this.dynamic;
    if (d) {
      const from = Math.max(d.offset, start);
      const to = Math.min(d.offset + d.length, this.seen);
      if (to > from) d.chunks.push(chunk.subarray(from - start, to - start));
    }
  }

  /** The file ended: what its bytes say. */
  finish(): CaptureResult {
    if (!this.elf || this.prefixLength < 16) return { kind: 'not-elf' };
    const reader = this.reader();
    try {
      const info = readElf(reader);
      return info ? { kind: 'elf', info } : { kind: 'not-elf' };
    } catch (error) {
      if (error instanceof NeedBytes) return { kind: 'need', offset: error.offset, length: error.length };
      throw error;
    }
  }

  /** Adds a range read afterwards (the answer to a 'need'), then parses again. */
  withRange(offset: number, bytes: Buffer): CaptureResult {
    this.extra.push({ offset, bytes });
    return this.finish();
  }

  private locateDynamic(): void {
    const head = Buffer.concat(this.prefix);
    this.prefix.splice(0, this.prefix.length, head);
    if (!isElfMagic(head)) {
      this.elf = false;
      this.prefix.length = 0;
      return;
    }
    const range = this.dynamicRange(head);
    if (range === 'later') return;
    this.checked = true;
    if (range && range.offset + range.length > this.prefixBytes)
      this.dynamic = { offset: range.offset, length: Math.min(range.length, MAX_RANGE), chunks: [] };
  }

  /** PT_DYNAMIC's file range from the program headers held so far ('later' until they are all here). */
  private dynamicRange(head: Buffer): { offset: number; length: number } | undefined | 'later' {
    try {
      return dynamicSegment(prefixReader(head));
    } catch (error) {
      if (!(error instanceof NeedBytes)) throw error;
      // program headers past the prefix cap: no capture; the re-read after the stream handles it
      return error.offset + error.length > this.prefixBytes ? undefined : 'later';
    }
  }

  private reader(): ByteReader {
    const head = Buffer.concat(this.prefix);
    const d = this.dynamic;
    const extra = d ? Buffer.concat(d.chunks) : undefined;
    return (offset, length) => {
      if (offset + length <= head.length) return head.subarray(offset, offset + length);
      if (d && extra && offset >= d.offset && offset + length <= d.offset + extra.length)
        return extra.subarray(offset - d.offset, offset - d.offset + length);
      const held = this.extra.find((r) => offset >= r.offset && offset + length <= r.offset + r.bytes.length);
      return held?.bytes.subarray(offset - held.offset, offset - held.offset + length);
    };
  }
}
