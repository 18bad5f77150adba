import { asReadable } from './adapters.js';
import type { Container } from './containers.js';
import { engineError } from './images.js';

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
