import { PassThrough, type Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { asReadable } from '../../src/docker/adapters.js';
import type { Engine } from '../../src/docker/engine.js';
import { engineError } from '../../src/docker/images.js';
import { followStream } from '../../src/docker/json-stream.js';
import type { Config } from '../../src/trim/config-changes.js';
import { normalizePath } from '../../src/trim/fs-tree.js';

/*
 * The trim write of tslim before issue 25, kept for the bench's comparison only (bench/trim-layers.ts):
 * the container's export, less the removed paths, imported as one fresh layer (`docker import`,
 * POST /images/create?fromSrc=-) with the config set through `--change` instructions.
 */

/** Quotes a value for ENV/LABEL/WORKDIR: the builder substitutes `$VAR` there, so `$` is escaped too. */
function quote(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/**
 * The `docker import --change` instructions that give an imported filesystem the original image's
 * config: env, entrypoint, cmd, workdir, user, labels, exposed ports, volumes and stop signal.
 */
export function configChanges(config: Config, extraLabels: Record<string, string> = {}): string[] {
  const out: string[] = [];
  for (const env of config.Env ?? []) {
    const at = env.indexOf('=');
    if (at > 0) out.push(`ENV ${env.slice(0, at)}=${quote(env.slice(at + 1))}`);
  }
  const labels = { ...(config.Labels ?? {}), ...extraLabels };
  for (const [key, value] of Object.entries(labels)) out.push(`LABEL ${quote(key)}=${quote(value)}`);
  if (config.Entrypoint && config.Entrypoint.length > 0) out.push(`ENTRYPOINT ${JSON.stringify(config.Entrypoint)}`);
  if (config.Cmd && config.Cmd.length > 0) out.push(`CMD ${JSON.stringify(config.Cmd)}`);
  if (config.WorkingDir) out.push(`WORKDIR ${quote(config.WorkingDir)}`);
  if (config.User) out.push(`USER ${config.User}`);
  for (const port of Object.keys(config.ExposedPorts ?? {})) out.push(`EXPOSE ${port}`);
  const volumes = Object.keys(config.Volumes ?? {});
  if (volumes.length > 0) out.push(`VOLUME ${JSON.stringify(volumes)}`);
  if (config.StopSignal) out.push(`STOPSIGNAL ${config.StopSignal}`);
  return out;
}

export interface RewriteStats {
  kept: number;
  dropped: number;
  keptBytes: number;
  droppedBytes: number;
}

/**
 * The filesystem tar with `remove`d paths left out, as a new tar stream: entries are piped through
 * one at a time with backpressure, so memory stays flat. Headers pass unchanged (modes, owners,
 * times, links), so the result is the same filesystem less what was removed.
 */
export function rewriteTar(
  source: NodeJS.ReadableStream,
  remove: (path: string) => boolean,
  stats: RewriteStats,
): PassThrough {
  const input = extract();
  const output = pack();
  // A node stream for the Engine API request body (tar-stream's streams are streamx ones).
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const fail = (error: Error): void => {
    input.destroy(error);
    output.destroy(error);
    body.destroy(error);
  };
  body.on('close', () => {
    if (!input.destroyed && !body.writableFinished) fail(new Error('the import stopped reading'));
  });
  input.on('entry', (header, body, next) => {
    const path = normalizePath(header.name);
    const size = header.type === 'file' ? (header.size ?? 0) : 0;
    if (remove(path)) {
      stats.dropped++;
      stats.droppedBytes += size;
      body.on('end', () => next());
      body.resume();
      return;
    }
    stats.kept++;
    stats.keptBytes += size;
    const sink = output.entry(header, (error) => (error ? fail(error) : next()));
    body.pipe(sink);
  });
  input.on('finish', () => output.finalize());
  input.on('error', fail);
  source.on('error', (error: Error) => fail(error));
  source.pipe(input);
  output.pipe(body);
  return body;
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
