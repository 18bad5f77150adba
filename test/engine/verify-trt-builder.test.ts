import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunId, RUN_LABEL } from '../../src/core/labels.js';
import { connectEngine } from '../../src/docker/engine.js';
import { sweepContainers } from '../../src/docker/containers.js';
import { followStream } from '../../src/docker/json-stream.js';
import { parseGpus } from '../../src/verify/gpu-request.js';
import { onnxSamplePath } from '../../src/verify/sample-repository.js';
import { buildTrtPlan, FULL_IMAGE_LABEL, resolveTrtBuilder, TRTEXEC_IN_IMAGE } from '../../src/verify/trt-plan.js';
import { buildContext } from '../world/build-context.js';
import { readWorld } from '../world/read-world.js';
import { removeByLabel } from '../support/tiny-image.js';

/**
 * The plumbing of the TensorRT plan build (builder lookup, container, mount, arguments, copy-back,
 * failure with the builder's log) with a stand-in trtexec: the world has no TensorRT and no GPU.
 * No real plan is built here; docs/verify.md says so.
 */
const world = readWorld();
const engine = connectEngine();
const runId = `test-verify-trt-${newRunId()}`;
const release = Object.values(world.releases)[0]!;
const goodBuilder = `tslim-test/verify-trt-good:${runId}`;
const badBuilder = `tslim-test/verify-trt-bad:${runId}`;
let tmp: string;

const fakeTrtexec = (fail: boolean): string => `#!/bin/sh
# stand-in for trtexec: checks the ONNX input is there, writes its arguments as the "plan"
for a in "$@"; do case "$a" in --saveEngine=*) out="\${a#--saveEngine=}";; --onnx=*) onnx="\${a#--onnx=}";; esac; done
test -s "$onnx" || { echo "[E] cannot read $onnx" >&2; exit 2; }
${fail ? 'echo "[E] Error[4]: stand-in failure for the test" >&2; exit 3' : 'printf "%s\\n" "$@" > "$out"'}
`;

async function buildBuilder(tag: string, fail: boolean): Promise<void> {
  const dockerfile = `FROM ${release.full}\nCOPY trtexec ${TRTEXEC_IN_IMAGE}\nLABEL ${RUN_LABEL}=${runId}\n`;
  const stream = await engine.buildImage(
    buildContext([
      { name: 'Dockerfile', content: dockerfile },
      { name: 'trtexec', content: fakeTrtexec(fail), mode: 0o755 },
    ]),
    { t: tag, labels: { [RUN_LABEL]: runId }, rm: true, forcerm: true },
  );
  await followStream(stream, { what: `build of ${tag}` });
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tslim-trt-test-'));
  await buildBuilder(goodBuilder, false);
  await buildBuilder(badBuilder, true);
});

afterAll(async () => {
  await sweepContainers(engine, runId);
  await removeByLabel(engine, runId);
  await rm(tmp, { recursive: true, force: true });
});

describe('TensorRT plan builder plumbing', () => {
  it('finds trtexec through the dev.tslim.source.full label, runs it on the ONNX sample and copies the plan back', async () => {
    const builder = await resolveTrtBuilder(engine, release.min, { [FULL_IMAGE_LABEL]: goodBuilder }, undefined, runId);
    expect(builder).toEqual({ kind: 'image', image: goodBuilder });
    const plan = join(tmp, 'model.plan');
    await buildTrtPlan(engine, {
      builder,
      onnx: onnxSamplePath(),
      plan,
      maxBatch: 32,
      gpus: parseGpus('none'),
      gpuDriver: 'nvidia',
      runId,
    });
    expect((await readFile(plan, 'utf8')).split('\n')).toEqual([
      '--onnx=/tslim/work/model.onnx',
      '--saveEngine=/tslim/work/model.plan',
      '--minShapes=INPUT0:1x4,INPUT1:1x4',
      '--optShapes=INPUT0:16x4,INPUT1:16x4',
      '--maxShapes=INPUT0:32x4,INPUT1:32x4',
      '',
    ]);
    expect((await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } })).length).toBe(0);
  });

  it('a failing trtexec fails the build with its log, and leaves no container', async () => {
    await expect(
      buildTrtPlan(engine, {
        builder: { kind: 'image', image: badBuilder },
        onnx: onnxSamplePath(),
        plan: join(tmp, 'bad.plan'),
        maxBatch: 32,
        gpus: parseGpus('none'),
        gpuDriver: 'nvidia',
        runId,
      }),
    ).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringMatching(/failed \(exit 3\) to build the TensorRT plan:\n.*stand-in failure/),
    });
    expect((await engine.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } })).length).toBe(0);
  });
});
