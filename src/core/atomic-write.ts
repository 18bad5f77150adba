import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { TslimError } from './errors.js';

/** Writes to a temp name beside the target, then renames: readers never see half a file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = tempBeside(path);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, data, { mode: 0o644 });
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw writeError(path, cause);
  }
}

/** The same, synchronously: for a process 'exit' handler, which cannot wait (src/boot/run-bundle.ts). */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const tmp = tempBeside(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw writeError(path, cause);
  }
}

/** IO (14), with what to do for the causes a first run meets: a full disk, a directory it may not write. */
function writeError(path: string, cause: unknown): TslimError {
  const code = (cause as { code?: unknown }).code;
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? `the file system of ${dirname(path)} is full: free space there (df -h ${dirname(path)}), or write elsewhere (--output, --work-dir)`
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? `this user may not write in ${dirname(path)}: write elsewhere (--output, --work-dir)`
        : undefined;
  return new TslimError('IO', `could not write ${path}: ${(cause as Error).message}`, {
    cause,
    ...(hint ? { hint } : {}),
  });
}

function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}
