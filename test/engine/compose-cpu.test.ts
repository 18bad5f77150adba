import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuLibs } from '../../src/catalog/cpu-libs.js';
import { buildImage } from '../../src/docker/build.js';
import { inspectImage } from '../../src/inspect/inspect-image.js';
import { runFixture } from '../world/run-fixture.js';
import { composeInWorld, engine, removeImage, uniqueTag, world } from './compose-helpers.js';

const release = world.releases['25.09']!;
const cpuFull = uniqueTag('cpufull');
const gpuMin = uniqueTag('gpumin');
const noCudaMin = uniqueTag('nocuda');
const made = [cpuFull, gpuMin, noCudaMin];
const runId = `test-compose-cpu-${Date.now().toString(36)}`;

/** A CPU-only "full" image (no CUDA, TRITON_SERVER_GPU_ENABLED=0) made from the world's pieces. */
const CPU_FULL = `FROM ${world.base}
COPY --from=${release.full} /opt/tritonserver /opt/tritonserver
COPY --from=${release.full} /opt/nvidia /opt/nvidia
ENV TRITON_SERVER_VERSION=${release.triton} NVIDIA_TRITON_SERVER_VERSION=25.09 TRITON_SERVER_GPU_ENABLED=0 PATH=/opt/tritonserver/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENTRYPOINT ["/opt/nvidia/nvidia_entrypoint.sh"]
`;

/** The world min plus stand-ins for the CUDA/cuDNN/HPC-X/NCCL files a CPU-only PyTorch compose copies. */
function gpuMinDockerfile(): string {
  const libs = cpuLibs(release.triton, ['pytorch'], 'x86_64')!;
  const files = libs.copies.map((c) => c.from);
  const dirs = [...new Set(files.map((f) => f.slice(0, f.lastIndexOf('/'))))];
  return `FROM ${release.min}\nRUN mkdir -p ${dirs.join(' ')} && touch ${files.join(' ')}\n`;
}

beforeAll(async () => {
  await buildImage(engine, {
    context: { Dockerfile: CPU_FULL },
    dockerfile: 'Dockerfile',
    tag: cpuFull,
    networkmode: 'host',
  });
  await buildImage(engine, {
    context: { Dockerfile: gpuMinDockerfile() },
    dockerfile: 'Dockerfile',
    tag: gpuMin,
    networkmode: 'host',
  });
  // A min image without CUDA_VERSION: the world base carries none.
  await buildImage(engine, {
    context: { Dockerfile: `FROM ${world.base}\nLABEL dev.tslim.test=nocuda\n` },
    dockerfile: 'Dockerfile',
    tag: noCudaMin,
  });
});

afterAll(async () => {
  for (const tag of made) await removeImage(tag);
});

describe('CPU-only compose with pytorch', () => {
  const tag = uniqueTag('cpu');
  made.push(tag);

  it('builds on the plain base with the gpu-min stage and the CPU entrypoint', async () => {
    const result = await composeInWorld(
      {
        cpuOnly: true,
        backend: ['pytorch'],
        image: [`full=${cpuFull}`, `min=${world.base}`, `gpu-min=${gpuMin}`],
        outputName: tag,
      },
      { skipPull: true },
    );
    expect(result.dockerfile).toContain(`FROM ${gpuMin} AS min_container`);
    expect(result.dockerfile).not.toContain('DCGM');
    const facts = await inspectImage(engine, tag, { role: 'full', payload: true });
    expect(facts.backends.map((b) => b.name)).toEqual(['pytorch']);
    expect(facts.env.TRITON_SERVER_GPU_ENABLED).toBe('0');
    expect(facts.env.LD_LIBRARY_PATH).toContain('/usr/local/cuda/targets/x86_64-linux/lib');
    expect(facts.entrypoint).toEqual(['/opt/nvidia/nvidia_entrypoint.sh']);
    const run = await runFixture(
      tag,
      [
        'bash',
        '-c',
        'ls /usr/local/cuda/lib64/stubs/libcublas.so.13 /usr/lib/x86_64-linux-gnu/libnccl.so.2 && id -u triton-server',
      ],
      runId,
      { Entrypoint: [] },
    );
    expect(run.output).toContain('libnccl.so.2');
    expect(run.output.trim().split('\n').at(-1)).toBe('1000');
  });
});

describe('compose refuses bad images', () => {
  it('refuses a GPU compose whose min image has no CUDA', async () => {
    await expect(
      composeInWorld(
        {
          image: [`full=${release.full}`, `min=${noCudaMin}`],
          backend: ['onnxruntime'],
          outputName: uniqueTag('never'),
        },
        { skipPull: true },
      ),
    ).rejects.toMatchObject({
      code: 'BAD_RELEASE',
      message: expect.stringMatching(/needs CUDA in the min image, but .* has no CUDA_VERSION/),
    });
  });

  it('refuses a backend the inspected image does not have, listing what it has', async () => {
    await expect(composeInWorld({ version: '24.09', backend: ['onnx'] }, { dryRun: true })).rejects.toThrow(
      "unknown backend 'onnx'; the image has: dali, fil, identity, onnxruntime, openvino, python, pytorch, repeat, square, tensorflow, tensorrt",
    );
  });
});
