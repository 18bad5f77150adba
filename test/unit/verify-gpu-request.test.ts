import { describe, expect, it } from 'vitest';
import { deviceRequests, isGpuVisibilityMessage, parseGpus } from '../../src/verify/gpu-request.js';
import { gpuStartError, serverArgs, serverContainerSpec } from '../../src/verify/server-runner.js';

describe('parseGpus', () => {
  it('reads the forms docker run --gpus takes', () => {
    expect(parseGpus('all')).toEqual({ kind: 'all' });
    expect(parseGpus('none')).toEqual({ kind: 'none' });
    expect(parseGpus('2')).toEqual({ kind: 'count', count: 2 });
    expect(parseGpus('device=0,2')).toEqual({ kind: 'devices', ids: ['0', '2'] });
    expect(parseGpus('"device=GPU-3a2b-44"')).toEqual({ kind: 'devices', ids: ['GPU-3a2b-44'] });
  });
  it('rejects anything else as a usage error naming the value', () => {
    expect(() => parseGpus('some')).toThrow(/invalid --gpus value 'some'/);
    expect(() => parseGpus('device=')).toThrow(expect.objectContaining({ code: 'USAGE', exitCode: 2 }));
    expect(() => parseGpus('device=0;rm')).toThrow(/invalid --gpus/);
  });
});

describe('deviceRequests', () => {
  it('sends what docker run --gpus sends, with the nvidia driver', () => {
    expect(deviceRequests({ kind: 'all' })).toEqual([
      { Driver: 'nvidia', Count: -1, Capabilities: [['gpu']], Options: {} },
    ]);
    expect(deviceRequests({ kind: 'count', count: 2 })).toEqual([
      { Driver: 'nvidia', Count: 2, Capabilities: [['gpu']], Options: {} },
    ]);
    expect(deviceRequests({ kind: 'devices', ids: ['1', 'GPU-ab'] })).toEqual([
      { Driver: 'nvidia', DeviceIDs: ['1', 'GPU-ab'], Capabilities: [['gpu']], Options: {} },
    ]);
    expect(deviceRequests({ kind: 'none' })).toEqual([]);
  });
  it('names CDI devices with the cdi driver (a count becomes indexes)', () => {
    expect(deviceRequests({ kind: 'all' }, 'cdi')).toEqual([
      { Driver: 'cdi', DeviceIDs: ['nvidia.com/gpu=all'], Options: {} },
    ]);
    expect(deviceRequests({ kind: 'count', count: 2 }, 'cdi')[0]?.DeviceIDs).toEqual([
      'nvidia.com/gpu=0',
      'nvidia.com/gpu=1',
    ]);
    expect(deviceRequests({ kind: 'devices', ids: ['GPU-ab'] }, 'cdi')[0]?.DeviceIDs).toEqual([
      'nvidia.com/gpu=GPU-ab',
    ]);
    expect(deviceRequests({ kind: 'none' }, 'cdi')).toEqual([]);
  });
});

describe('GPU problem classification', () => {
  it('tells a GPU-less container from a broken backend', () => {
    const noGpu =
      'Invalid argument: instance group tslim_onnxruntime_0 of model tslim_onnxruntime specifies invalid or unsupported gpu id 0. GPUs with at least the minimum required CUDA compute compatibility of 6.0 are: no GPUs are available';
    expect(isGpuVisibilityMessage(noGpu)).toBe(true);
    expect(
      isGpuVisibilityMessage(
        "unable to find backend library for backend 'onnxruntime', try specifying runtime on the model configuration.",
      ),
    ).toBe(false);
  });
  it('turns the engine refusing DeviceRequests into GPU_UNAVAILABLE with a hint per driver', () => {
    const cause = Object.assign(new Error('(HTTP code 500) server error'), {
      json: { message: 'could not select device driver "nvidia" with capabilities: [[gpu]]' },
    });
    const e = gpuStartError(cause, { gpus: { kind: 'all' }, gpuDriver: 'nvidia' });
    expect(e).toMatchObject({ code: 'GPU_UNAVAILABLE', exitCode: 9 });
    expect(e?.message).toContain('could not select device driver');
    expect(e?.hint).toMatch(/nvidia-ctk runtime configure/);
    expect(
      gpuStartError(new Error('unresolvable CDI devices nvidia.com/gpu=all'), {
        gpus: { kind: 'all' },
        gpuDriver: 'cdi',
      })?.hint,
    ).toMatch(/cdi generate/);
    expect(gpuStartError(new Error('No such image'), { gpus: { kind: 'all' }, gpuDriver: 'nvidia' })).toBeUndefined();
  });
});

describe('server container spec', () => {
  const spec = {
    image: 'reg/triton:slim',
    repositoryDirs: ['/tmp/tslim-verify-x'],
    models: ['tslim_onnxruntime', 'tslim_python'],
    gpus: { kind: 'all' } as const,
    gpuDriver: 'nvidia' as const,
    shmSizeBytes: 256 * 2 ** 20,
    env: { A: '1' },
    runId: 'r1',
  };
  it('runs tritonserver with explicit loading, no exit on error, the chosen ports, no gRPC', () => {
    expect(serverArgs(spec.models, { http: 18000, metrics: 18002 })).toEqual([
      'tritonserver',
      '--model-repository=/tslim/models',
      '--model-control-mode=explicit',
      '--load-model=tslim_onnxruntime',
      '--load-model=tslim_python',
      '--exit-on-error=false',
      '--http-port=18000',
      '--metrics-port=18002',
      '--allow-grpc=false',
    ]);
  });
  it('mounts the repository read-only on host networking with shm and DeviceRequests', () => {
    const c = serverContainerSpec(spec, { http: 1, metrics: 2 });
    expect(c.HostConfig).toMatchObject({
      NetworkMode: 'host',
      Binds: ['/tmp/tslim-verify-x:/tslim/models:ro'],
      ShmSize: 256 * 2 ** 20,
      DeviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }],
    });
    expect(c.Env).toEqual(['A=1']);
    expect(c.Entrypoint).toBeUndefined();
    expect(
      serverContainerSpec({ ...spec, gpus: { kind: 'none' } }, { http: 1, metrics: 2 }).HostConfig?.DeviceRequests,
    ).toEqual([]);
  });
});
