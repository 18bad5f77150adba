import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { followStream } from './engine.js';
import { progress } from './log.js';
import type { WorldNamespace } from './name.js';
import { basic, type Registry } from './registry.js';

/** Does the registry hold this tag? (HEAD on the manifest, authenticated.) */
async function hasTag(registry: Registry, repository: string, tag: string): Promise<boolean> {
  const res = await fetch(`http://${registry.address}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      Authorization: basic(registry.users[0]!),
      Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
    },
  });
  return res.ok;
}

/**
 * Pushes a local fixture image as <registry>/<ns.registryRepository>:<tag> (default
 * nvidia/tritonserver) through the Engine API (X-Registry-Auth); skipped when the same image id
 * was pushed before and the tag is still there.
 */
export async function pushFixture(
  engine: Docker,
  registry: Registry,
  localTag: string,
  ns: WorldNamespace,
): Promise<string> {
  const tag = localTag.slice(localTag.lastIndexOf(':') + 1);
  const remote = `${registry.address}/${ns.registryRepository}`;
  const pushedFile = ns.pushedPath;
  const id = (await engine.getImage(localTag).inspect()).Id;
  const pushed = JSON.parse(await readFile(pushedFile, 'utf8').catch(() => '{}')) as Record<string, string>;
  if (pushed[`${remote}:${tag}`] === id && (await hasTag(registry, ns.registryRepository, tag))) {
    progress(`${remote}:${tag} already pushed`);
    return `${remote}:${tag}`;
  }
  await engine.getImage(localTag).tag({ repo: remote, tag });
  const user = registry.users[0]!;
  const stream = await engine.getImage(remote).push({
    tag,
    authconfig: { username: user.username, password: user.password, serveraddress: registry.address },
  } as unknown as Record<string, unknown>);
  await followStream(stream, `push of ${remote}:${tag}`);
  if (!(await hasTag(registry, ns.registryRepository, tag)))
    throw new Error(`push of ${remote}:${tag} reported success but the registry has no such manifest`);
  pushed[`${remote}:${tag}`] = id;
  await mkdir(path.dirname(pushedFile), { recursive: true });
  await writeFile(pushedFile, JSON.stringify(pushed, null, 2) + '\n');
  progress(`pushed ${remote}:${tag}`);
  return `${remote}:${tag}`;
}
