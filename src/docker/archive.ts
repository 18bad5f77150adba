import { archiveStat, asReadable, type PathStat } from './adapters.js';
import { extract, type Header } from 'tar-stream';
import { Cleanup } from '../core/abort.js';
import type { Engine } from './engine.js';
import { createContainer, removeContainer, type Container } from './containers.js';
import { engineError } from './images.js';

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

/** Stat of a path in a container; undefined when it does not exist. */
export async function statPath(container: Container, path: string): Promise<PathStat | undefined> {
  try {
    return archiveStat(await container.infoArchive({ path }));
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
    stream = asReadable(await container.getArchive({ path, abortSignal: signal }), `the archive of ${path}`);
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return false;
    throw engineError(cause, `reading ${path}`);
  }
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

/** Reads one small file (following one symlink hop) as text; undefined when absent. */
export async function readSmallFile(container: Container, path: string, limit = 1 << 20): Promise<string | undefined> {
  const stat = await statPath(container, path);
  if (!stat) return undefined;
  if (stat.linkTarget) {
    const target = stat.linkTarget.startsWith('/')
      ? stat.linkTarget
      : new URL(stat.linkTarget, `file://${path}`).pathname;
    if (target !== path) return readSmallFile(container, target, limit);
  }
  let stream: NodeJS.ReadableStream;
  try {
    stream = await container.getArchive({ path });
  } catch (cause) {
    throw engineError(cause, `reading ${path}`);
  }
  return new Promise<string | undefined>((resolve, reject) => {
    const tar = extract();
    let text: string | undefined;
    tar.on('entry', (header, body, next) => {
      const parts: Buffer[] = [];
      let size = 0;
      body.on('data', (chunk: unknown) => {
        const bytes = chunk as Buffer;
        size += bytes.length;
        if (size <= limit) parts.push(bytes);
      });
      body.on('end', () => {
        if (header.type === 'file' && text === undefined) text = Buffer.concat(parts).toString('utf8');
        next();
      });
    });
    tar.on('finish', () => resolve(text));
    tar.on('error', reject);
    stream.on('error', reject);
    stream.pipe(tar);
  });
}
