import { performance } from 'node:perf_hooks';
import { TslimError } from '../core/errors.js';
import { IMAGE_LABELS, newRunId } from '../core/labels.js';
import type { Logger } from '../core/logger.js';
import type { Engine } from '../docker/engine.js';
import { inspectImageRaw, type RawImage } from '../docker/images.js';
import { parseEnv } from '../inspect/env.js';
import { filesFromExport } from './files-from-export.js';
import { filesFromLayers } from './files-from-layers.js';
import type { ImageFiles } from './image-files.js';
import { buildInventory, type Inventory } from './inventory.js';

export interface ReadInventoryOptions {
  signal?: AbortSignal;
  runId?: string;
  log?: Logger;
}

/**
 * Lists what is inside a local image: its files read as inspect reads them, from the engine's
 * layer store where this host can read it, else from a created (never started) container's export.
 */
export async function readInventory(
  engine: Engine,
  ref: string,
  options: ReadInventoryOptions = {},
): Promise<Inventory> {
  const raw = await inspectImageRaw(engine, ref, options.signal);
  if (!raw) {
    throw new TslimError('IMAGE_NOT_FOUND', `image ${ref} is not in the engine`, { hint: 'build or pull it first' });
  }
  const files = await imageFiles(engine, raw, ref, options);
  const trimFrom = trimSource(raw.Config?.Labels?.[IMAGE_LABELS.trim]);
  let baseline: ImageFiles['entries'] | undefined;
  if (trimFrom) {
    const untrimmed = await inspectImageRaw(engine, trimFrom, options.signal);
    if (untrimmed) baseline = (await imageFiles(engine, untrimmed, trimFrom, options)).entries;
    else
      options.log?.warn(
        `${ref} was trimmed from ${trimFrom}, which the engine no longer has: partial packages are found from their file lists`,
      );
  }
  return buildInventory({
    ref,
    id: raw.Id,
    env: parseEnv(raw.Config?.Env),
    files,
    ...(trimFrom ? { trim: { from: trimFrom, ...(baseline ? { baseline } : {}) } } : {}),
  });
}

async function imageFiles(
  engine: Engine,
  raw: RawImage,
  ref: string,
  options: ReadInventoryOptions,
): Promise<ImageFiles> {
  const started = performance.now();
  const fromLayers = await filesFromLayers(raw, options.signal);
  const took = (): string => `${((performance.now() - started) / 1000).toFixed(2)} s`;
  if (!('unusable' in fromLayers)) {
    options.log?.debug(`files of ${ref}: ${fromLayers.entries.size} entries from the engine's layer store, ${took()}`);
    return fromLayers;
  }
  options.log?.debug(
    `files of ${ref}: not from the layer store (${fromLayers.unusable}); reading a container's export`,
  );
  const files = await filesFromExport(engine, raw.Id, options.runId ?? newRunId(), options.signal);
  options.log?.debug(`files of ${ref}: ${files.entries.size} entries from a container's export, ${took()}`);
  return files;
}

function trimSource(label: string | undefined): string | undefined {
  if (!label) return undefined;
  try {
    const from = (JSON.parse(label) as { from?: unknown }).from;
    return typeof from === 'string' && from ? from : undefined;
  } catch {
    return undefined;
  }
}
