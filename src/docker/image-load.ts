import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { asReadable } from './adapters.js';
import type { Engine } from './engine.js';
import { engineError } from './images.js';
import { followStream } from './json-stream.js';

export interface ArchiveLayer {
  file: string;
  bytes: number;
  diffId: string;
}

/** The image id an engine gives a config: the sha256 of its bytes (Docker and Podman alike). */
export function configId(config: Buffer): string {
  return `sha256:${createHash('sha256').update(config).digest('hex')}`;
}

/** Same headers every time: the archive is a carrier, but a stable one is easier to compare and debug. */
const FIXED = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime: new Date(0) };

/**
 * A docker-archive (the format `docker save` wrote before Docker 25, which Docker and Podman both
 * load) of one untagged image: the config, manifest.json, then each layer's tar from its file, as a
 * stream. Layers stream from disk one after another, so memory stays flat.
 */
function dockerArchive(config: Buffer, layers: readonly ArchiveLayer[]): PassThrough {
  const tar = pack();
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const configName = `${configId(config).slice('sha256:'.length)}.json`;
  const layerName = (l: ArchiveLayer): string => `${l.diffId.slice('sha256:'.length)}/layer.tar`;
  const manifest = Buffer.from(
    JSON.stringify([{ Config: configName, RepoTags: null, Layers: layers.map(layerName) }]),
    'utf8',
  );
  const write = async (): Promise<void> => {
    tar.entry({ ...FIXED, name: configName }, config);
    tar.entry({ ...FIXED, name: 'manifest.json' }, manifest);
    const written = new Set<string>();
    for (const layer of layers) {
      const name = layerName(layer);
      if (written.has(name)) continue;
      written.add(name);
      const sink = tar.entry({ ...FIXED, name, size: layer.bytes });
      await pipeline(createReadStream(layer.file), sink);
    }
    tar.finalize();
  };
  write().catch((error: Error) => {
    tar.destroy(error);
    body.destroy(error);
  });
  tar.on('error', (error: Error) => body.destroy(error));
  body.on('close', () => {
    if (!body.readableEnded) tar.destroy();
  });
  tar.pipe(body);
  return body;
}

/**
 * Loads one image (`POST /images/load`) from its config and layer files; its id is configId(config).
 * Takes no abort signal on purpose: an engine that received the whole body finishes the load even
 * when the client stops listening, so the caller cuts the body (`cut`) instead, waits for the answer,
 * and removes the image if it appeared.
 */
export async function loadImage(
  engine: Engine,
  config: Buffer,
  layers: readonly ArchiveLayer[],
  onBody?: (cut: () => void) => void,
): Promise<string> {
  const body = dockerArchive(config, layers);
  onBody?.(() => body.destroy(new Error('interrupted')));
  let stream: NodeJS.ReadableStream;
  try {
    stream = asReadable(await engine.loadImage(body, { quiet: true }), 'the load stream');
  } catch (cause) {
    throw engineError(cause, 'loading the trimmed image');
  }
  await followStream(stream, { what: 'load of the trimmed image' });
  return configId(config);
}
