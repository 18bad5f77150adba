import { archiveStat, asReadable, type PathStat } from './adapters.js';
// tar-stream loads on first read of an archive: a dry run whose facts are cached reads none
import type { Header } from 'tar-stream';
import { Cleanup } from '../core/abort.js';
import type { Engine } from './engine.js';
import { createContainer, removeContainer, type Container } from './containers.js';
import { engineError } from './images.js';
import { importModule } from '../core/import-module.js';
import type { extract as TarExtract } from 'tar-stream';

/** What the scratch container runs if fn starts it (runToExit): the program itself, no shell. */
export interface ScratchCommand {
  entrypoint: string[];
  cmd: string[];
  user?: string;
}

/**
 * Runs fn with a created container of the image, so files can be read through the archive
 * endpoint without a shell in the image; fn may start it once when a command is given. No network;
 * the container is removed afterwards, also when fn fails or the run is aborted.
 */
export async function withScratchContainer<T>(
  engine: Engine,
  image: string,
  runId: string,
  fn: (container: Container) => Promise<T>,
  signal?: AbortSignal,
  command?: ScratchCommand,
): Promise<T> {
  const cleanup = new Cleanup();
  try {
    const container = await createContainer(
      engine,
      {
        Image: image,
        Entrypoint: command?.entrypoint ?? ['/nonexistent'],
        Cmd: command?.cmd ?? [],
        ...(command?.user !== undefined ? { User: command.user } : {}),
        NetworkDisabled: true,
        HostConfig: { NetworkMode: 'none' },
      },
      runId,
      signal,
    );
    cleanup.defer(() => removeContainer(container));
    return await fn(container);
  } finally {
    await cleanup.run();
  }
}

/**
 * Podman reads a running container's files through its mount namespace (/proc/PID/ns/mnt) and
 * answers 500 (`open /proc/PID/ns/mnt: no such file or directory`; a HEAD carries no message) when
 * the process exits meanwhile (Podman 4.3.1; seen when inspect reads files while du runs in the same
 * container). Docker reads the container's filesystem whatever its state. Once the container has
 * stopped Podman reads its storage, so a 500 on a container that was started is tried once more
 * after its exit. A never-started container is not waited for (wait would block).
 */
async function outlastExit<T>(container: Container, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode !== 500) throw cause;
    const state = (await container.inspect().catch(() => undefined))?.State;
    if (!state || state.Status === 'created') throw cause;
    await container.wait().catch(() => undefined);
    return call();
  }
}

/** Stat of a path in a container; undefined when it does not exist. */
export async function statPath(container: Container, path: string): Promise<PathStat | undefined> {
  try {
    return archiveStat(await outlastExit(container, () => container.infoArchive({ path })));
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return undefined;
    throw engineError(cause, `reading ${path}`);
  }
}

/**
 * Streams the tar of a path and calls onEntry for each header; entry bodies are drained, never
 * buffered, so memory stays flat whatever the size. Returns false when the path does not exist.
 */
export async function walkArchive(
  container: Container,
  path: string,
  onEntry: (header: Header) => void,
  signal?: AbortSignal,
): Promise<boolean> {
  let stream: NodeJS.ReadableStream;
  try {
    const archive = await outlastExit(container, () => container.getArchive({ path, abortSignal: signal }));
    stream = asReadable(archive, `the archive of ${path}`);
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return false;
    throw engineError(cause, `reading ${path}`);
  }
  const { extract } = await importModule<{ extract: typeof TarExtract }>('tar-stream');
  await new Promise<void>((resolve, reject) => {
    const tar = extract();
    tar.on('entry', (header, body, next) => {
      onEntry(header);
      body.on('end', next);
      body.resume();
    });
    tar.on('finish', resolve);
    tar.on('error', reject);
    stream.on('error', reject);
    stream.pipe(tar);
  });
  return true;
}

/** Symlinks readSmallFile follows before it gives up (a loop, or a chain no image needs). */
const MAX_LINK_HOPS = 8;

/**
 * Reads one small file as text, following symlinks; undefined when absent (or a dangling link).
 * One archive GET per hop and no stat first: the tar's header says whether the path is a file or a
 * link (and to where), and each archive call on a container not running mounts its filesystem.
 */
export async function readSmallFile(
  container: Container,
  path: string,
  limit = 1 << 20,
  hops = MAX_LINK_HOPS,
): Promise<string | undefined> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await outlastExit(container, () => container.getArchive({ path }));
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return undefined;
    throw engineError(cause, `reading ${path}`);
  }
  const { extract } = await importModule<{ extract: typeof TarExtract }>('tar-stream');
  const entry = await new Promise<{ text?: string; link?: string }>((resolve, reject) => {
    const tar = extract();
    const found: { text?: string; link?: string } = {};
    tar.on('entry', (header, body, next) => {
      const parts: Buffer[] = [];
      let size = 0;
      body.on('data', (chunk: unknown) => {
        const bytes = chunk as Buffer;
        size += bytes.length;
        if (size <= limit) parts.push(bytes);
      });
      body.on('end', () => {
        const first = found.text === undefined && found.link === undefined;
        if (first && header.type === 'file') found.text = Buffer.concat(parts).toString('utf8');
        if (first && header.type === 'symlink' && header.linkname) found.link = header.linkname;
        next();
      });
    });
    tar.on('finish', () => resolve(found));
    tar.on('error', reject);
    stream.on('error', reject);
    stream.pipe(tar);
  });
  if (entry.link === undefined) return entry.text;
  const target = entry.link.startsWith('/') ? entry.link : new URL(entry.link, `file://${path}`).pathname;
  if (hops <= 0) return undefined;
  return readSmallFile(container, target, limit, hops - 1);
}
