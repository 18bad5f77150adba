import type { Readable } from 'node:stream';
import { asReadable } from './adapters.js';
import type { Container } from './containers.js';
import type { Engine } from './engine.js';
import { engineError } from './images.js';
import { followStream } from './json-stream.js';

/** The container's whole filesystem as one tar stream (GET /containers/{id}/export). */
export async function exportFilesystem(container: Container): Promise<NodeJS.ReadableStream> {
  try {
    return asReadable(await container.export(), 'the container export');
  } catch (cause) {
    throw engineError(cause, 'exporting the container filesystem');
  }
}

/** One file of a container as a tar stream (GET /containers/{id}/archive). */
export async function fileArchive(
  container: Container,
  path: string,
  signal?: AbortSignal,
): Promise<NodeJS.ReadableStream> {
  try {
    return asReadable(await container.getArchive({ path, abortSignal: signal }), `the archive of ${path}`);
  } catch (cause) {
    throw engineError(cause, `reading ${path}`);
  }
}

/**
 * Creates an image from a filesystem tar (POST /images/create?fromSrc=-, `docker import`), with
 * `changes` (Dockerfile instructions: ENV, ENTRYPOINT, CMD, USER, WORKDIR, LABEL, EXPOSE, VOLUME,
 * STOPSIGNAL) setting its config. Returns the new image id. Nothing is tagged.
 * Takes no abort signal on purpose: the engine finishes an import whose body was fully sent even
 * when the client stops listening, leaving an image nobody knows; the caller cuts the body instead
 * and removes the image this returns.
 */
export async function importFilesystem(engine: Engine, body: Readable, changes: string[]): Promise<string> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = asReadable(await engine.importImage(body, { changes }), 'the import stream');
  } catch (cause) {
    throw engineError(cause, 'importing the trimmed filesystem');
  }
  const events = await followStream(stream, { what: 'import of the trimmed filesystem' });
  const id = [...events].reverse().find((e) => e.status?.startsWith('sha256:'))?.status;
  if (!id) throw engineError(new Error('the engine returned no image id'), 'importing the trimmed filesystem');
  return id.trim();
}
