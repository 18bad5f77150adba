/**
 * The dynamic section of an ELF object, read the way ld.so reads it: the program headers, then
 * PT_DYNAMIC (DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH), with the string table found through the
 * PT_LOAD segment that maps DT_STRTAB. Section headers are never needed (stripped files have none).
 * Spec: the System V gABI, "Dynamic Section" and "Program Header".
 */

/** Bytes of the file at [offset, offset+length), or undefined when the reader does not hold them. */
export type ByteReader = (offset: number, length: number) => Buffer | undefined;

export interface ElfInfo {
  bits: 32 | 64;
  /** e_machine (62 = x86-64, 183 = AArch64): ld.so skips objects of another machine. */
  machine: number;
  type: 'exec' | 'dyn' | 'other';
  soname?: string;
  needed: string[];
  rpath: string[];
  runpath: string[];
  /** PT_INTERP of an executable, e.g. /lib64/ld-linux-x86-64.so.2. */
  interp?: string;
  /** DF_1_NODEFLIB: ld.so.cache and the default dirs are not searched for this object's needs. */
  noDefaultLib: boolean;
}

/** What a reader lacked: read [offset, offset+length) of the file and try again. */
export class NeedBytes extends Error {
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {
    super(`ELF bytes ${offset}+${length} not available`);
    this.name = 'NeedBytes';
  }
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT = { NULL: 0, NEEDED: 1, STRTAB: 5, STRSZ: 10, SONAME: 14, RPATH: 15, RUNPATH: 29, FLAGS_1: 0x6ffffffb };
const DF_1_NODEFLIB = 0x800;
/** Bounds that keep a corrupt header from asking for gigabytes. */
const MAX_PHNUM = 4096;
const MAX_DYNAMIC = 1 << 20;

export function isElfMagic(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF';
}

interface Fields {
  bits: 32 | 64;
  le: boolean;
}

function word(buf: Buffer, at: number, f: Fields, size: 2 | 4 | 8): number {
  if (size === 2) return f.le ? buf.readUInt16LE(at) : buf.readUInt16BE(at);
  if (size === 4) return f.le ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
  return Number(f.le ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at));
}

function need(read: ByteReader, offset: number, length: number): Buffer {
  const got = read(offset, length);
  if (!got || got.length < length) throw new NeedBytes(offset, length);
  return got;
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

interface Headers {
  f: Fields;
  etype: number;
  machine: number;
  segments: Segment[];
}

/** The ELF header and program headers; undefined when the bytes are not ELF. Throws NeedBytes. */
function readHeaders(read: ByteReader): Headers | undefined {
  const ident = read(0, 16);
  if (!ident || !isElfMagic(ident)) return undefined;
  const cls = ident[4];
  const data = ident[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return undefined;
  const f: Fields = { bits: cls === 1 ? 32 : 64, le: data === 1 };
  const wide = f.bits === 64;
  const header = need(read, 0, wide ? 64 : 52);
  const phoff = word(header, wide ? 32 : 28, f, wide ? 8 : 4);
  const phentsize = word(header, wide ? 54 : 42, f, 2);
  const phnum = word(header, wide ? 56 : 44, f, 2);
  if (phnum > MAX_PHNUM || phentsize < (wide ? 56 : 32)) return undefined;
  const table = need(read, phoff, phentsize * phnum);
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    segments.push(
      wide
        ? {
            type: word(table, at, f, 4),
            offset: word(table, at + 8, f, 8),
            vaddr: word(table, at + 16, f, 8),
            filesz: word(table, at + 32, f, 8),
          }
        : {
            type: word(table, at, f, 4),
            offset: word(table, at + 4, f, 4),
            vaddr: word(table, at + 8, f, 4),
            filesz: word(table, at + 16, f, 4),
          },
    );
  }
  return { f, etype: word(header, 16, f, 2), machine: word(header, 18, f, 2), segments };
}

/** PT_DYNAMIC's file range, from the headers alone (what a streaming reader must catch). Throws NeedBytes. */
export function dynamicSegment(read: ByteReader): { offset: number; length: number } | undefined {
  const dynamic = readHeaders(read)?.segments.find((s) => s.type === PT_DYNAMIC);
  return dynamic ? { offset: dynamic.offset, length: dynamic.filesz } : undefined;
}

/**
 * Parses the object's dynamic facts; undefined when the bytes are not ELF. Throws NeedBytes when the
 * reader lacks a range (a streamed file whose string table lies past what was kept).
 */
export function readElf(read: ByteReader): ElfInfo | undefined {
  const headers = readHeaders(read);
  if (!headers) return undefined;
  const { f, etype, machine, segments } = headers;
  const info: ElfInfo = {
    bits: f.bits,
    machine,
    type: etype === 2 ? 'exec' : etype === 3 ? 'dyn' : 'other',
    needed: [],
    rpath: [],
    runpath: [],
    noDefaultLib: false,
  };
  const interp = segments.find((s) => s.type === PT_INTERP);
  if (interp && interp.filesz > 0 && interp.filesz < 4096)
    info.interp = cString(need(read, interp.offset, interp.filesz), 0);
  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dynamic) return info;
  readDynamic(read, f, dynamic, segments, info);
  return info;
}

function readDynamic(read: ByteReader, f: Fields, dynamic: Segment, segments: Segment[], info: ElfInfo): void {
  const entry = f.bits === 64 ? 16 : 8;
  const size = Math.min(dynamic.filesz, MAX_DYNAMIC);
  const buf = need(read, dynamic.offset, size - (size % entry));
  const strings: { tag: number; at: number }[] = [];
  let strtab: number | undefined;
  let strsz = 0;
  for (let at = 0; at + entry <= buf.length; at += entry) {
    const tag = word(buf, at, f, f.bits === 64 ? 8 : 4);
    const value = word(buf, at + entry / 2, f, f.bits === 64 ? 8 : 4);
    if (tag === DT.NULL) break;
    if (tag === DT.STRTAB) strtab = value;
    else if (tag === DT.STRSZ) strsz = value;
    else if (tag === DT.FLAGS_1) info.noDefaultLib = (value & DF_1_NODEFLIB) !== 0;
    else if (tag === DT.NEEDED || tag === DT.SONAME || tag === DT.RPATH || tag === DT.RUNPATH)
      strings.push({ tag, at: value });
  }
  if (strings.length === 0 || strtab === undefined) return;
  const load = segments.find((s) => s.type === PT_LOAD && strtab >= s.vaddr && strtab < s.vaddr + s.filesz);
  if (!load) return;
  const strOffset = load.offset + (strtab - load.vaddr);
  const table = need(read, strOffset, Math.min(strsz, load.offset + load.filesz - strOffset));
  for (const s of strings) {
    const text = cString(table, s.at);
    if (s.tag === DT.NEEDED) info.needed.push(text);
    else if (s.tag === DT.SONAME) info.soname = text;
    else if (s.tag === DT.RPATH) info.rpath.push(...splitPath(text));
    else info.runpath.push(...splitPath(text));
  }
}

function cString(buf: Buffer, at: number): string {
  const end = buf.indexOf(0, at);
  return buf.toString('utf8', at, end < 0 ? buf.length : end);
}

function splitPath(text: string): string[] {
  return text.split(':').filter((p) => p.length > 0);
}

/** A reader over a buffer holding the file's first bytes (a streamed prefix, or a whole small file). */
export function prefixReader(prefix: Buffer): ByteReader {
  return (offset, length) => (offset + length <= prefix.length ? prefix.subarray(offset, offset + length) : undefined);
}
