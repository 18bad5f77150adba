import { inLibraryScope } from '../trim/categories.js';
import { NeedBytes, readElf, type ByteReader } from '../trim/elf.js';

/** One path of an image (no leading slash), as the image's containers would see it. */
export interface FileEntry {
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  /** Regular files: bytes; a hard link: its target's bytes (counted once by who adds them up). */
  size: number;
  linkname?: string;
}

/**
 * What the SBOM reads of an image: every entry, the text of the package databases and metadata
 * files (wantsText), and the SONAME of the NVIDIA libraries (wantsSoname). Two readers make one:
 * the layer store (files-from-layers.ts) and a created container's export stream (files-from-export.ts).
 */
export interface ImageFiles {
  entries: ReadonlyMap<string, FileEntry>;
  text(path: string): Promise<string | undefined>;
  soname(path: string): Promise<string | undefined>;
  method: 'layers' | 'export';
}

const TEXTS = [
  /^(etc|usr\/lib)\/os-release$/,
  /^var\/lib\/dpkg\/status$/,
  /^var\/lib\/dpkg\/info\/[^/]+\.list$/,
  /^opt\/tritonserver\/TRITON_VERSION$/,
  /\/(site|dist)-packages\/[^/]+\.dist-info\/(METADATA|RECORD)$/,
  /\/(site|dist)-packages\/[^/]+\.egg-info(\/(PKG-INFO|installed-files\.txt))?$/,
];

/** Whether the SBOM reads this file's text (path without a leading slash). */
export function wantsText(path: string): boolean {
  return TEXTS.some((re) => re.test(path));
}

/** Whether the SBOM reads this regular file's SONAME: an NVIDIA shared object (trim's scope). */
export function wantsSoname(path: string): boolean {
  return inLibraryScope(`/${path}`);
}

/** The most of one metadata file held (dpkg's status of a full Triton image is ~2 MB). */
export const MAX_TEXT_BYTES = 64 << 20;

/** DT_SONAME through a reader of byte ranges, fetching what readElf says it lacks (a few tries). */
export async function sonameFrom(read: (offset: number, length: number) => Promise<Buffer | undefined>) {
  const ranges: { offset: number; bytes: Buffer }[] = [];
  const head = await read(0, 64 * 1024);
  if (!head) return undefined;
  ranges.push({ offset: 0, bytes: head });
  const reader: ByteReader = (offset, length) => {
    const hit = ranges.find((r) => offset >= r.offset && offset + length <= r.offset + r.bytes.length);
    return hit?.bytes.subarray(offset - hit.offset, offset - hit.offset + length);
  };
  for (let tries = 0; tries < 4; tries += 1) {
    try {
      return readElf(reader)?.soname;
    } catch (error) {
      if (!(error instanceof NeedBytes)) throw error;
      const bytes = await read(error.offset, error.length);
      if (!bytes || bytes.length < error.length) return undefined;
      ranges.push({ offset: error.offset, bytes });
    }
  }
  return undefined;
}
