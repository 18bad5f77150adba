import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { RUN_LABEL } from '../../src/core/labels.js';
import { followStream } from '../../src/docker/json-stream.js';
import { buildContext, type ContextFile } from '../world/build-context.js';

/**
 * Builds a small image with one layer of random bytes (so every build is a different image),
 * labelled with the test's run id; `docker image prune --filter label=dev.tslim.run=ID` or
 * removeByLabel sweeps it.
 */
export async function buildTinyImage(
  engine: Docker,
  tag: string,
  runId: string,
  bytes = 64 * 1024,
  from = 'scratch',
  /** more Dockerfile lines, e.g. `ENV TRITON_SERVER_VERSION=2.50.0` so inspect takes it for Triton */
  extra: string[] = [],
): Promise<string> {
  const lines = [`FROM ${from}`, 'COPY blob.bin /blob.bin', `LABEL ${RUN_LABEL}=${runId}`, ...extra];
  const files: ContextFile[] = [
    { name: 'Dockerfile', content: `${lines.join('\n')}\n` },
    { name: 'blob.bin', content: randomBytes(bytes) },
  ];
  const stream = await engine.buildImage(buildContext(files), {
    t: tag,
    labels: { [RUN_LABEL]: runId },
    rm: true,
    forcerm: true,
  });
  await followStream(stream, { what: `build of ${tag}` });
  return (await engine.getImage(tag).inspect()).Id;
}

/** Removes every image carrying this run's label (tags first, then the image). */
export async function removeByLabel(engine: Docker, runId: string): Promise<void> {
  const images = await engine.listImages({ filters: { label: [`${RUN_LABEL}=${runId}`] } });
  for (const image of images) {
    for (const tag of image.RepoTags ?? [])
      await engine
        .getImage(tag)
        .remove({ noprune: false })
        .catch(() => undefined);
    await engine
      .getImage(image.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
}

/** Removes these images (tags or ids) if they are there: an after-all hook's cleanup. */
export async function removeImageRefs(engine: Docker, refs: readonly string[]): Promise<void> {
  for (const ref of refs)
    await engine
      .getImage(ref)
      .remove({ force: true })
      .catch(() => undefined);
}
