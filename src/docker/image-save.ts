import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { posix } from 'node:path';
import { PassThrough, Readable, Transform, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { TslimError } from '../core/errors.js';
import { asReadable, destroyStream } from './adapters.js';
import type { Engine } from './engine.js';
import { engineError } from './images.js';

/** One layer of a saved image, written to a file: its uncompressed tar, after the caller's rewrite. */
export interface SpooledLayer {
  file: string;
  bytes: number;
  /** sha256 of the file's bytes: the layer's diff id. */
  diffId: string;
  /** The name it had in the saved archive. */
  name: string;
}

export interface SpooledImage {
  /** The config blob exactly as the engine saved it. */
  config: Buffer;
  /** In the config's rootfs order. */
  layers: SpooledLayer[];
}

/** JSON files of an archive (manifest, config, legacy v1 json) are small; a bigger non-tar is no image. */
const MAX_SMALL = 64 << 20;
const TAR_MAGIC = 'ustar';

/**
 * Saves an image through the Engine API (`GET /images/{id}/get`, `docker save`: the docker-archive
 * of Docker and Podman, or the OCI layout with a manifest.json of Docker 25+) and writes each
 * layer through `rewrite(layerName)` into a file under `dir`, hashing what is written. Streams:
 * only the small JSON files are held. Gzipped layers (the containerd image store) are gunzipped.
 */
export async function spoolImage(
  engine: Engine,
  image: string,
  dir: string,
  rewrite: (name: string) => Duplex,
  signal?: AbortSignal,
): Promise<SpooledImage> {
  let source: NodeJS.ReadableStream;
  try {
    source = asReadable(await engine.getImage(image).get(), 'the image save stream');
  } catch (cause) {
    throw engineError(cause, `saving ${image}`);
  }
  const archive = extract();
  const onAbort = (): void => {
    destroyStream(source);
    archive.destroy(new TslimError('ABORTED', 'interrupted'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  source.on('error', (error: Error) => archive.destroy(error));
  source.pipe(archive);
  const small = new Map<string, Buffer>();
  const links = new Map<string, string>();
  const layers = new Map<string, SpooledLayer>();
  try {
    for await (const entry of archive) {
      const { name, type, linkname } = entry.header;
      const path = posix.normalize(name);
      if (type === 'symlink' && linkname) links.set(path, posix.normalize(posix.join(posix.dirname(path), linkname)));
      if (type !== 'file') {
        entry.resume();
        continue;
      }
      const chunks = entry[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const head: Buffer[] = [];
      let headBytes = 0;
      let done = false;
      while (headBytes < 512 && !done) {
        const next = await chunks.next();
        if (next.done) done = true;
        else {
          head.push(next.value);
          headBytes += next.value.length;
        }
      }
      const start = Buffer.concat(head);
      const rest = async function* (): AsyncGenerator<Buffer> {
        yield start;
        for (;;) {
          const next = await chunks.next();
          if (next.done) return;
          yield next.value;
        }
      };
      if (!looksLikeLayer(start)) {
        const parts: Buffer[] = [];
        let size = 0;
        for await (const chunk of rest()) {
          size += chunk.length;
          if (size > MAX_SMALL) throw new Error(`${name} in the saved image is neither a layer nor a small file`);
          parts.push(chunk);
        }
        small.set(path, Buffer.concat(parts));
        continue;
      }
      const file = posix.join(dir, `layer-${layers.size}.tar`);
      const tap = digestTap();
      const gzipped = start[0] === 0x1f && start[1] === 0x8b;
      const steps = [Readable.from(rest()), gzipped ? createGunzip() : new PassThrough(), rewrite(path), tap];
      await pipeline([...steps, createWriteStream(file)], signal ? { signal } : {});
      layers.set(path, { file, bytes: tap.bytes(), diffId: tap.digest(), name: path });
    }
  } catch (cause) {
    if (signal?.aborted) throw new TslimError('ABORTED', 'interrupted', { cause });
    throw cause instanceof TslimError ? cause : engineError(cause, `reading the saved ${image}`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return assemble(image, small, links, layers);
}

/** A pass-through that counts and hashes what goes through it: a written layer's size and diff id. */
function digestTap(): Transform & { bytes: () => number; digest: () => string } {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return Object.assign(tap, { bytes: () => bytes, digest: () => `sha256:${hash.digest('hex')}` });
}

/** A layer tar starts with a ustar header or the end-of-archive zeros of an empty layer; or gzip. */
function looksLikeLayer(start: Buffer): boolean {
  if (start[0] === 0x1f && start[1] === 0x8b) return true;
  if (start.length < 512) return false;
  return start.toString('latin1', 257, 262) === TAR_MAGIC || start.subarray(0, 512).every((b) => b === 0);
}

function assemble(
  image: string,
  small: Map<string, Buffer>,
  links: Map<string, string>,
  layers: Map<string, SpooledLayer>,
): SpooledImage {
  const resolve = (name: string): string => {
    let path = posix.normalize(name);
    for (let hops = 0; links.has(path) && hops < 8; hops++) path = links.get(path)!;
    return path;
  };
  const bad = (what: string): TslimError =>
    new TslimError('ENGINE', `the engine's save of ${image} ${what}`, {
      hint: 'tslim reads docker-archive and OCI-layout saves (Docker, Podman); please report this engine',
    });
  const manifestText = small.get('manifest.json');
  if (!manifestText) throw bad('has no manifest.json');
  const manifest = JSON.parse(manifestText.toString('utf8')) as { Config?: string; Layers?: string[] }[];
  const [only] = manifest;
  if (manifest.length !== 1 || !only?.Config || !only.Layers) throw bad('does not hold exactly one image');
  const config = small.get(resolve(only.Config));
  if (!config) throw bad(`lacks its config ${only.Config}`);
  const ordered = only.Layers.map((name) => {
    const layer = layers.get(resolve(name));
    if (!layer) throw bad(`lacks the layer ${name}`);
    return layer;
  });
  return { config, layers: ordered };
}
