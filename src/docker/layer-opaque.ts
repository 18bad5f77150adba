import { spawn } from 'node:child_process';
import { bodilessEntries } from './tar-header.js';

/**
 * Which of these directories of overlay2 layer folders are opaque: Docker unpacks a layer's
 * `.wh..wh..opq` marker as the xattr `trusted.overlay.opaque=y` on the directory
 * (`user.overlay.opaque` for a rootless engine's overlay), and Node has no call that reads xattrs.
 * GNU tar reads them (`--xattrs`) and writes them as pax records (SCHILY.xattr.NAME): one tar over
 * all the directories, without their contents, answers for all of them in a few milliseconds.
 * `undefined` when tar cannot answer (none on PATH, not GNU tar: busybox and bsdtar refuse
 * `--xattrs-include`, an error): the caller then reads those layers' tar-split records.
 */
export async function opaqueDirectories(
  root: string,
  /** Paths relative to root (CACHE-ID/diff/DIR), each a directory. */
  dirs: readonly string[],
  signal?: AbortSignal,
): Promise<Set<string> | undefined> {
  if (dirs.length === 0) return new Set();
  const tar = await run(
    'tar',
    [
      '--create',
      '--file=-',
      '--format=posix',
      '--no-recursion',
      '--xattrs',
      ...XATTRS.map((name) => `--xattrs-include=${name}`),
      `--directory=${root}`,
      '--',
      ...dirs,
    ],
    signal,
  ).catch((cause: unknown) => {
    signal?.throwIfAborted();
    return { code: -1, stdout: Buffer.alloc(0), stderr: (cause as Error).message };
  });
  if (tar.code !== 0) return undefined;
  let entries: ReturnType<typeof bodilessEntries>;
  try {
    entries = bodilessEntries(tar.stdout);
  } catch {
    return undefined;
  }
  const asked = new Set(dirs);
  // every directory must come back, so an answer that skipped one is no answer
  if (entries.length !== dirs.length || !entries.every(({ path }) => asked.has(path))) return undefined;
  return new Set(
    entries.filter(({ pax }) => XATTRS.some((name) => pax.get(`SCHILY.xattr.${name}`) === 'y')).map(({ path }) => path),
  );
}

const XATTRS = ['trusted.overlay.opaque', 'user.overlay.opaque'];

function run(
  command: string,
  args: string[],
  signal?: AbortSignal,
): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
      ...(signal ? { signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}
