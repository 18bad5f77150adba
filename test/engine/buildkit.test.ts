import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toInputs, type ComposeFlags } from '../../src/cli/compose-options.js';
import { proxyBuildArgs } from '../../src/compose/build-composed.js';
import { runCompose, type ComposeResult } from '../../src/compose/run.js';
import { TslimError } from '../../src/core/errors.js';
import { RUN_LABEL } from '../../src/core/labels.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { silentProgress } from '../../src/core/progress.js';
import { buildImage } from '../../src/docker/build.js';
import { buildImageBuildKit } from '../../src/docker/buildkit-build.js';
import { buildKitOffer } from '../../src/docker/builders.js';
import type { StreamEvent } from '../../src/docker/json-stream.js';
import { tempDir } from '../support/temp-dir.js';
import { runFixture } from '../world/run-fixture.js';
import { engine, removeImage, uniqueTag, world, worldFlags } from './compose-helpers.js';

/**
 * BuildKit (POST /build?version=2, progress decoded from moby.buildkit.trace) against the classic
 * builder on the same engine: same image, same failure log, proxy args out of history, and an abort
 * that leaves nothing behind.
 */
const runId = `test-buildkit-${Date.now().toString(36)}`;
const made: string[] = [];
afterAll(async () => {
  for (const tag of made) await removeImage(tag);
});

const BUILDERS = ['classic', 'buildkit'] as const;

async function compose(
  flags: ComposeFlags,
  workDir: string,
  log: Logger = silentLogger,
  signal = new AbortController().signal,
): Promise<ComposeResult> {
  return runCompose(toInputs({ ...worldFlags, ...flags }, undefined), {
    engine: () => Promise.resolve(engine),
    log,
    progress: silentProgress,
    signal,
    runId,
    tslimVersion: '0.0.0-test',
    dryRun: false,
    offline: false,
    skipPull: true,
    workDir,
    output: undefined,
    templateDir: undefined,
  });
}

/** Every path of the image's filesystem with type, mode, owner and (regular files) size. */
async function fileList(tag: string): Promise<string[]> {
  const run = await runFixture(
    tag,
    ['find', '/', '-xdev', '-not', '-path', '/proc/*', '-not', '-path', '/sys/*', '-printf', '%p %y %m %U:%G %s\\n'],
    runId,
    { Entrypoint: [] },
  );
  expect(run.exitCode, run.output.slice(-2000)).toBe(0);
  return run.output
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (/ [^f] /.test(l) ? l.replace(/ \d+$/, '') : l)) // a directory's size is the filesystem's business
    .sort();
}

it('the engine offers BuildKit (dockerd on Linux, API >= 1.39)', async () => {
  const offer = await buildKitOffer(engine);
  expect(offer, offer.why).toMatchObject({ offered: true });
});

describe('one compose, both builders', () => {
  const tags = { classic: uniqueTag('bk-classic'), buildkit: uniqueTag('bk-buildkit') };
  made.push(tags.classic, tags.buildkit);
  const flags = (builder: string, tag: string): ComposeFlags => ({
    version: '24.09',
    backend: ['onnxruntime', 'python'],
    repoagent: ['checksum'],
    outputName: tag,
    builder,
    // both built from scratch: a layer cached by an earlier world (another clone's apt stand-in
    // debs differ by a few bytes) would make the files differ for reasons that are not the builder
    noBuildCache: true,
  });

  it('gives images with the same files, env, labels, CMD, entrypoint, user and workdir', async () => {
    const results: Record<string, ComposeResult> = {};
    for (const b of BUILDERS) results[b] = await compose(flags(b, tags[b]), await tempDir('bk'));
    expect(results.classic!.image?.builder).toBe('classic');
    expect(results.buildkit!.image?.builder).toBe('buildkit');
    const [c, k] = await Promise.all(BUILDERS.map((b) => engine.getImage(tags[b]).inspect()));
    const config = (i: typeof c) => ({
      Env: i!.Config.Env,
      Labels: i!.Config.Labels,
      Cmd: i!.Config.Cmd,
      Entrypoint: i!.Config.Entrypoint,
      User: i!.Config.User,
      WorkingDir: i!.Config.WorkingDir,
      ExposedPorts: i!.Config.ExposedPorts,
    });
    expect(config(k)).toEqual(config(c));
    expect(k!.Config.Labels?.['dev.tslim.backends']).toBe('onnxruntime,python');
    expect(k!.Config.Labels?.[RUN_LABEL]).toBe(runId);
    const [classicFiles, buildkitFiles] = [await fileList(tags.classic), await fileList(tags.buildkit)];
    expect(buildkitFiles.length).toBeGreaterThan(1000);
    expect(buildkitFiles.filter((f) => f.startsWith('/opt/tritonserver/backends/python/')).length).toBeGreaterThan(0);
    const onlyIn = (a: string[], b: string[]) => {
      const other = new Set(b);
      return a.filter((f) => !other.has(f));
    };
    expect({
      classicOnly: onlyIn(classicFiles, buildkitFiles),
      buildkitOnly: onlyIn(buildkitFiles, classicFiles),
    }).toEqual({
      classicOnly: [],
      buildkitOnly: [],
    });
  });
});

describe.each(BUILDERS)('%s: a failing RUN', (builder) => {
  it('is BUILD_FAILED with the failing step and its output in the build log', async () => {
    const workDir = await tempDir('bk-fail');
    const tag = uniqueTag(`bk-fail-${builder}`);
    made.push(tag);
    // nothing listens on port 9: the DCGM step's `apt-get update` fails, after the steps before it
    const error = await compose(
      {
        version: '24.09',
        backend: ['python'],
        cudaRepo: 'http://127.0.0.1:9/cuda',
        outputName: tag,
        builder,
        noBuildCache: true,
      },
      workDir,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TslimError);
    expect((error as TslimError).code).toBe('BUILD_FAILED');
    expect((error as TslimError).hint).toMatch(/tslim-build-.*\.log/);
    const logs = (await readdir(workDir)).filter((f) => f.startsWith('tslim-build-'));
    expect(logs).toHaveLength(1);
    const log = await readFile(join(workDir, logs[0]!), 'utf8');
    const header = /^Step \d+\/\d+ : RUN echo "deb \[trusted=yes\] http:\/\/127\.0\.0\.1:9\/cuda .*$/m.exec(log);
    expect(header, log.slice(-3000)).not.toBeNull();
    const after = log.slice(header!.index);
    expect(after).toMatch(/127\.0\.0\.1:9/); // apt's own words about the unreachable repository
    expect(after).toMatch(/^(Err|W|E):.*$/m);
    expect(log).toMatch(/^Step \d+\/\d+ : RUN apt-get update/m); // the steps before it are there too
    expect(
      await engine
        .getImage(tag)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
    ).toBe(false);
  });
});

describe.each(BUILDERS)('%s: proxy build args', (builder) => {
  it('reach RUN steps but not the image history or config', async () => {
    const tag = uniqueTag(`bk-proxy-${builder}`);
    made.push(tag);
    const secret = `pr0xy${Date.now().toString(36)}`;
    const proxy = `http://tslim:${secret}@127.0.0.1:9`;
    const args = proxyBuildArgs({ proxy: { http: proxy, https: proxy, no: 'localhost' } } as Parameters<
      typeof proxyBuildArgs
    >[0]);
    const dockerfile = [
      `FROM ${world.base}`,
      // fails the build unless the proxy args reached the step's environment
      'RUN test -n "$HTTP_PROXY" && test "$http_proxy" = "$HTTP_PROXY" && test -n "$https_proxy" && echo proxies-set',
      'ENV TSLIM_BK_TEST=1',
      'CMD ["true"]',
    ].join('\n');
    const lines: string[] = [];
    const options = {
      context: { Dockerfile: `${dockerfile}\n` },
      dockerfile: 'Dockerfile',
      tag,
      buildargs: args,
      labels: { [RUN_LABEL]: runId },
      networkmode: 'host',
      nocache: true,
      onEvent: (e: StreamEvent) => lines.push(e.stream ?? ''),
    };
    if (builder === 'classic') await buildImage(engine, options);
    else await buildImageBuildKit(engine, options);
    expect(lines.join('')).toContain('proxies-set');
    const image = engine.getImage(tag);
    const history = JSON.stringify(await image.history());
    expect(history).toContain('proxies-set'); // the RUN line is there...
    expect(history).not.toContain(secret); // ...without the proxy values
    expect(history).not.toMatch(/_PROXY=/i);
    const inspect = await image.inspect();
    expect(JSON.stringify(inspect)).not.toContain(secret);
    expect(inspect.Config.Env).toContain('TSLIM_BK_TEST=1');
  });
});

/** Processes on this host whose command line has the marker (BuildKit runs RUN steps with runc here). */
async function processesWith(marker: string): Promise<number> {
  let found = 0;
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker) && !cmdline.includes('vitest')) found += 1;
  }
  return found;
}

describe('BuildKit: abort (Ctrl-C) mid-RUN', () => {
  it('rejects ABORTED at once and leaves no image, no tag, no container and no running step', async () => {
    const tag = uniqueTag('bk-abort');
    made.push(tag);
    const marker = `${(Math.random() * 1000 + 100).toFixed(3)}`; // a sleep length no one else uses
    const before = new Set((await engine.listContainers({ all: true })).map((c) => c.Id));
    const controller = new AbortController();
    let sawRun = false;
    const build = buildImageBuildKit(engine, {
      context: { Dockerfile: `FROM ${world.base}\nRUN echo step-started && sleep ${marker}\nLABEL late=1\n` },
      dockerfile: 'Dockerfile',
      tag,
      labels: { [RUN_LABEL]: runId },
      networkmode: 'host',
      nocache: true,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.stream?.includes('step-started')) sawRun = true;
      },
    });
    const outcome = build.then(
      () => 'built',
      (e: unknown) => (e instanceof TslimError ? e.code : String(e)),
    );
    for (let i = 0; i < 300 && !sawRun; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(sawRun).toBe(true);
    let running = 0;
    for (let i = 0; i < 20 && running === 0; i += 1) {
      running = await processesWith(`sleep ${marker}`);
      if (running === 0) await new Promise((r) => setTimeout(r, 100));
    }
    // the engine on this host's socket runs the step's processes where /proc shows them
    const local = !process.env.DOCKER_HOST || process.env.DOCKER_HOST.startsWith('unix://');
    if (local) expect(running).toBeGreaterThan(0);
    const t0 = Date.now();
    controller.abort();
    expect(await outcome).toBe('ABORTED');
    expect(Date.now() - t0).toBeLessThan(2000);
    // the engine cancels the solve; the step's process goes within seconds (checked when visible here)
    let left = running;
    for (let i = 0; i < 40 && left > 0; i += 1) {
      await new Promise((r) => setTimeout(r, 250));
      left = await processesWith(`sleep ${marker}`);
    }
    expect(left).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(
      await engine
        .getImage(tag)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
    ).toBe(false);
    const labelled = await engine.listImages({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`, 'late=1'] } });
    expect(labelled).toEqual([]);
    const after = (await engine.listContainers({ all: true })).filter((c) => !before.has(c.Id));
    expect(after.filter((c) => c.Image === world.base || c.Command.includes(marker))).toEqual([]);
  });
});
