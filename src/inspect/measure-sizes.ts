import { performance } from 'node:perf_hooks';
import { throwIfAborted } from '../core/abort.js';
import type { Logger } from '../core/logger.js';
import type { Container } from '../docker/containers.js';
import { measureWithDu } from './du-sizes.js';
import type { Component, ComponentKind, SizeMethod } from './facts.js';
import { measureComponents } from './payload.js';

const KINDS = ['backends', 'repoagents', 'caches'] as const;

export interface MeasuredSizes {
  method: SizeMethod;
  components: Record<ComponentKind, Component[]>;
}

export interface MeasureOptions {
  /** 'auto': du in the container when it works, else the stream; 'stream': the stream only. */
  method: 'auto' | 'stream';
  /** The image, for the log line. */
  ref: string;
  log?: Logger | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Component sizes of a full image. `container` must have been made with DU_COMMAND when method is
 * 'auto' (it is started once, to run du). du reads only metadata, so its time follows the number
 * of files; the stream reads every payload byte and stays the fallback for images without du.
 */
export async function measureSizes(container: Container, options: MeasureOptions): Promise<MeasuredSizes> {
  const { signal, log, ref } = options;
  const started = performance.now();
  const took = (): string => `${((performance.now() - started) / 1000).toFixed(2)} s`;
  if (options.method === 'auto') {
    const du = await measureWithDu(container, signal);
    if ('sizes' in du) {
      for (const kind of du.streamKinds) {
        throwIfAborted(signal);
        du.sizes[kind] = (await measureComponents(container, kind, signal)) ?? [];
      }
      const also = du.streamKinds.length > 0 ? ` (${du.streamKinds.join(', ')} streamed: not a directory)` : '';
      log?.debug(`sizes of ${ref}: du in a container, ${took()}${also}`);
      return { method: 'du', components: du.sizes };
    }
    log?.info(`sizes of ${ref}: no usable du in the image (${du.unusable}); streaming the payload instead (slower)`);
  }
  const components: Record<ComponentKind, Component[]> = { backends: [], repoagents: [], caches: [] };
  for (const kind of KINDS) {
    throwIfAborted(signal);
    components[kind] = (await measureComponents(container, kind, signal)) ?? [];
  }
  log?.debug(`sizes of ${ref}: streamed archive, ${took()}`);
  return { method: 'stream', components };
}
