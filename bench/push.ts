/**
 * `tslim push` vs `docker push` of the same image to the same registry, as bench/push-vs-docker.sh:
 * a fresh, empty Debian docker-registry (htpasswd, plain HTTP on 127.0.0.1) before every push, so
 * neither tool finds blobs the other uploaded.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { log } from './lib/proc.js';
import { docker, tslim } from './lib/tools.js';

export interface PushBench {
  image: string;
  imageBytes: number;
  dockerS: number;
  tslimS: number;
}

const USER = 'bench';
const PASSWORD = 'benchpw';

async function freshRegistry(work: string, port: number): Promise<ChildProcess> {
  await rm(path.join(work, 'storage'), { recursive: true, force: true });
  const child = spawn('docker-registry', ['serve', path.join(work, 'config.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const status = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 401) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`bench registry did not start on 127.0.0.1:${port}`);
}

async function stopRegistry(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const closed = new Promise((r) => child.on('close', r));
  child.kill();
  await closed;
}

export async function benchPush(
  image: string,
  imageBytes: number,
  port = Number(process.env.BENCH_PUSH_PORT ?? 5077),
): Promise<PushBench> {
  const work = await mkdtemp(path.join(tmpdir(), 'tslim-bench-push-'));
  try {
    await writeFile(
      path.join(work, 'htpasswd'),
      execFileSync('htpasswd', ['-nbB', USER, PASSWORD], { encoding: 'utf8' }),
    );
    await writeFile(
      path.join(work, 'config.yml'),
      [
        'version: 0.1',
        'log: { level: warn }',
        `storage: { filesystem: { rootdirectory: ${path.join(work, 'storage')} } }`,
        `http: { addr: "127.0.0.1:${port}", secret: "bench" }`,
        `auth: { htpasswd: { realm: bench, path: ${path.join(work, 'htpasswd')} } }`,
        '',
      ].join('\n'),
    );
    await mkdir(path.join(work, 'dcfg'));
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    await writeFile(
      path.join(work, 'dcfg', 'config.json'),
      JSON.stringify({ auths: { [`127.0.0.1:${port}`]: { auth } } }),
    );
    const env = { ...process.env, DOCKER_CONFIG: path.join(work, 'dcfg') };
    const remote = `127.0.0.1:${port}/bench/img`;

    let registry = await freshRegistry(work, port);
    await docker(['tag', image, `${remote}:docker`]);
    log(`push: docker push ${image}`);
    const d = await docker(['push', '-q', `${remote}:docker`], { env });
    await docker(['rmi', `${remote}:docker`]);
    await stopRegistry(registry);

    registry = await freshRegistry(work, port);
    log(`push: docker ${d.wallS.toFixed(1)} s; tslim push`);
    const t = await tslim(['push', '-q', '--username', USER, '--password-stdin', image, `${remote}:tslim`], {
      env,
      stdin: PASSWORD,
    });
    await stopRegistry(registry);
    log(`push: tslim ${t.wallS.toFixed(1)} s`);
    return { image, imageBytes, dockerS: d.wallS, tslimS: t.wallS };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
