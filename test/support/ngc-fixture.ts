import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { RUN_LABEL } from '../../src/core/labels.js';
import { silentLogger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { followStream } from '../../src/docker/json-stream.js';
import { pushImage } from '../../src/registry/push.js';
import { TRTEXEC_IN_IMAGE } from '../../src/verify/trt-plan.js';
import { buildContext } from '../world/build-context.js';
import type { HarborAccount, HarborWorld } from '../world/world-types.js';
import { tempDir } from './temp-dir.js';
import { removeByLabel } from './tiny-image.js';

export interface NgcFixture {
  /** As a user writes it: nvcr.io/nvidia/<repo>:24.09-py3. */
  requested: string;
  /** Where it really is: <token registry>/nvidia/<repo>:24.09-py3. */
  used: string;
  mirror: string;
  /** The world's NGC API key (password of `$oauthtoken`). */
  key: string;
  /** The bytes of the one random layer (progress totals are about this one). */
  layerBytes: number;
}

export function ngcAccount(token: HarborWorld): HarborAccount {
  const found = token.users.find((u) => u.username === '$oauthtoken');
  if (!found) throw new Error('world.json has no $oauthtoken account: run `npm run world:token`');
  return found;
}

/**
 * A small image that looks like a Triton full image to `inspect --no-payload` (FROM scratch,
 * /opt/tritonserver, TRITON_SERVER_VERSION) pushed to the token registry's nvidia project, then
 * removed from the engine, so a pull downloads it for real. Labelled with runId.
 */
export async function pushNgcFixture(
  engine: Docker,
  token: HarborWorld,
  runId: string,
  options: { layerBytes?: number; name?: string; trtexec?: string } = {},
): Promise<NgcFixture> {
  const layerBytes = options.layerBytes ?? 3 * 1024 * 1024;
  const repo = `nvidia/${options.name ?? 'ngc'}-${runId.slice(-6).toLowerCase()}`;
  const local = `tslim-test/${repo}:${runId}`;
  const files = [
    {
      name: 'Dockerfile',
      content: [
        'FROM scratch',
        'COPY blob.bin /opt/tritonserver/lib/blob.bin',
        'COPY TRITON_VERSION /opt/tritonserver/TRITON_VERSION',
        'ENV TRITON_SERVER_VERSION=2.50.0',
        ...(options.trtexec !== undefined ? [`COPY trtexec ${TRTEXEC_IN_IMAGE}`] : []),
        `LABEL ${RUN_LABEL}=${runId}`,
        '',
      ].join('\n'),
    },
    { name: 'blob.bin', content: randomBytes(layerBytes) },
    { name: 'TRITON_VERSION', content: '2.50.0\n' },
    ...(options.trtexec !== undefined ? [{ name: 'trtexec', content: options.trtexec, mode: 0o755 }] : []),
  ];
  const stream = await engine.buildImage(buildContext(files), { t: local, labels: { [RUN_LABEL]: runId }, rm: true });
  await followStream(stream, { what: `build of ${local}` });
  const tslim = token.users.find((u) => u.username === 'tslim');
  if (!tslim) throw new Error('world.json has no tslim account on the token registry');
  const used = `${token.address}/${repo}:24.09-py3`;
  await pushImage(
    {
      image: local,
      ref: used,
      auth: { username: tslim.username, password: tslim.password, serveraddress: token.address },
      force: true,
    },
    { engine, log: silentLogger, progress: silentProgress },
  );
  await removeByLabel(engine, runId);
  return {
    requested: `nvcr.io/${repo}:24.09-py3`,
    used,
    mirror: `nvcr.io=${token.address}`,
    key: ngcAccount(token).password,
    layerBytes,
  };
}

/** An empty DOCKER_CONFIG (and HOME), a temp dir removed when the test file ends, so the developer's own credentials never leak into a test. */
export async function emptyDockerConfig(auths?: Record<string, { auth: string }>): Promise<string> {
  // removed when the test file ends
  const dir = await tempDir('ngc-config');
  if (auths) await writeFile(join(dir, 'config.json'), JSON.stringify({ auths }), { mode: 0o600 });
  return dir;
}
