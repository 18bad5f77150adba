import type Docker from 'dockerode';
import { buildContext, type ContextFile } from './build-context.js';
import { followStream, imageHash } from './engine.js';
import { HASH_LABEL } from './hash.js';
import { progress } from './log.js';

export interface BuildOptions {
  /** Multi-stage target. */
  target?: string;
  buildargs?: Record<string, string>;
  /** Set the hash as a label at build time (for Dockerfiles that do not write it themselves). */
  labelHash?: boolean;
}

/**
 * Builds `tag` from a Dockerfile and context files with host networking, unless the tag already
 * carries `hash`; prints each step, and the build's last lines when it fails. Returns whether it built.
 */
export async function buildWorldImage(
  engine: Docker,
  tag: string,
  files: ContextFile[],
  hash: string,
  options: BuildOptions = {},
): Promise<boolean> {
  if ((await imageHash(engine, tag)) === hash) {
    progress(`${tag} up to date`);
    return false;
  }
  progress(`building ${tag}`);
  const started = Date.now();
  const stream = await engine.buildImage(buildContext(files), {
    t: tag,
    networkmode: 'host',
    rm: true,
    forcerm: true,
    ...(options.target ? { target: options.target } : {}),
    ...(options.buildargs ? { buildargs: options.buildargs } : {}),
    ...(options.labelHash ? { labels: { [HASH_LABEL]: hash } } : {}),
  });
  const tail: string[] = [];
  await followStream(stream, `build of ${tag}`, (line) => {
    if (line.stream?.startsWith('Step ')) progress(`  ${line.stream.trim().slice(0, 120)}`);
    if (!line.stream?.trim()) return;
    tail.push(line.stream.trimEnd());
    if (tail.length > 20) tail.shift();
  }).catch((error: unknown) => {
    process.stderr.write(tail.join('\n') + '\n');
    throw error;
  });
  if ((await imageHash(engine, tag)) !== hash)
    throw new Error(`build of ${tag} finished but the image lacks hash ${hash}`);
  progress(`built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return true;
}
