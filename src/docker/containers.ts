import { asBuffer, asReadable } from './adapters.js';
import { throwIfAborted } from '../core/abort.js';
import type Docker from 'dockerode';
import { RUN_LABEL } from '../core/labels.js';
import { engineError } from './images.js';
import type { Engine } from './engine.js';

export type ContainerSpec = Docker.ContainerCreateOptions;
export type Container = Docker.Container;

/** Creates in flight: a sweep waits for them, so a container made after its listing is not missed. */
const creating = new Set<Promise<unknown>>();

/** Creates a container; every one tslim makes carries the run label. */
export function createContainer(
  engine: Engine,
  spec: ContainerSpec,
  runId: string,
  signal?: AbortSignal,
): Promise<Container> {
  const created = create(engine, spec, runId, signal);
  const settled = created.catch(() => undefined);
  creating.add(settled);
  void settled.then(() => creating.delete(settled));
  return created;
}

async function create(engine: Engine, spec: ContainerSpec, runId: string, signal?: AbortSignal): Promise<Container> {
  throwIfAborted(signal);
  let container: Container;
  try {
    // No abort signal on the request itself: aborting it mid-flight leaves a container the engine
    // made but whose id tslim never learned (seen with Ctrl-C during inspect). A create is quick;
    // when the run was aborted meanwhile, the container is removed here instead.
    container = await engine.createContainer({
      ...spec,
      Labels: { ...(spec.Labels ?? {}), [RUN_LABEL]: runId },
    });
  } catch (cause) {
    throw engineError(cause, `creating a container from ${spec.Image ?? 'an image'}`);
  }
  if (signal?.aborted) {
    await removeContainer(container).catch(() => undefined);
    throwIfAborted(signal);
  }
  return container;
}

/** Force-removes a container with its anonymous volumes; a missing one is fine. */
export async function removeContainer(container: Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (cause) {
    const status = (cause as { statusCode?: number }).statusCode;
    if (status === 404 || status === 409) return;
    throw engineError(cause, 'removing a container');
  }
}

/** The last `tail` lines of a container's combined output, demultiplexed. */
export async function containerLogs(container: Container, tail = 200): Promise<string> {
  return demux(
    asBuffer(await container.logs({ stdout: true, stderr: true, tail, follow: false }), 'the container log'),
  );
}

/** Engine log frames: 8-byte header (stream, 0, 0, 0, size BE) then payload; TTY logs are raw. */
export function demux(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset];
    if (kind !== 0 && kind !== 1 && kind !== 2) return buffer.toString('utf8');
    const size = buffer.readUInt32BE(offset + 4);
    chunks.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Splits the engine's multiplexed log stream into stdout and stderr payloads as chunks arrive
 * (frames may straddle chunks), so a long output is never held whole.
 */
export class LogDemuxer {
  #pending: Buffer = Buffer.alloc(0);
  constructor(
    private readonly onStdout: (chunk: Buffer) => void,
    private readonly onStderr: (chunk: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    let buffer = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    while (buffer.length >= 8) {
      const size = buffer.readUInt32BE(4);
      if (buffer.length < 8 + size) break;
      const payload = buffer.subarray(8, 8 + size);
      if (buffer[0] === 2) this.onStderr(payload);
      else this.onStdout(payload);
      buffer = buffer.subarray(8 + size);
    }
    this.#pending = Buffer.from(buffer);
  }
}

export interface ExitResult {
  exitCode: number;
  /** The first 4 KiB of stderr, for the message when the program failed. */
  stderr: string;
}

/**
 * Starts a created (non-TTY) container, waits for it to exit, then streams its stdout through
 * onStdout, demultiplexed from the logs. Removing the container stays with the caller
 * (withScratchContainer), so an abort or a failure here leaves nothing once that runs.
 */
export async function runToExit(
  container: Container,
  onStdout: (chunk: Buffer) => void,
  signal?: AbortSignal,
): Promise<ExitResult> {
  throwIfAborted(signal);
  let exitCode: number;
  try {
    await container.start({ abortSignal: signal });
    const waited = (await container.wait({ abortSignal: signal })) as { StatusCode?: unknown };
    exitCode = typeof waited.StatusCode === 'number' ? waited.StatusCode : -1;
  } catch (cause) {
    throwIfAborted(signal);
    throw engineError(cause, 'running a container');
  }
  const stderr: Buffer[] = [];
  let stderrBytes = 0;
  const demuxer = new LogDemuxer(onStdout, (chunk) => {
    if (stderrBytes < 4096) stderr.push(chunk.subarray(0, 4096 - stderrBytes));
    stderrBytes += chunk.length;
  });
  try {
    // follow on an exited container: the engine sends what was logged and ends the stream
    const stream = asReadable(
      await container.logs({ stdout: true, stderr: true, follow: true, abortSignal: signal }),
      'the container log',
    );
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => demuxer.push(chunk));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
  } catch (cause) {
    throwIfAborted(signal);
    throw engineError(cause, 'reading a container log');
  }
  return { exitCode, stderr: Buffer.concat(stderr).toString('utf8') };
}

/** Removes every container carrying the run label (optionally one run's); returns how many. */
export async function sweepContainers(engine: Engine, runId?: string): Promise<number> {
  await Promise.all(creating);
  const label = runId === undefined ? RUN_LABEL : `${RUN_LABEL}=${runId}`;
  const list = await engine.listContainers({ all: true, filters: { label: [label] } });
  await Promise.all(list.map((info) => removeContainer(engine.getContainer(info.Id))));
  return list.length;
}
