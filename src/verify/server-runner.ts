import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Cleanup } from '../core/abort.js';
import { TslimError } from '../core/errors.js';
import type { Engine } from '../docker/engine.js';
import {
  containerLogs,
  createContainer,
  removeContainer,
  type Container,
  type ContainerSpec,
} from '../docker/containers.js';
import { deviceRequests, describeGpus, isEngineGpuError, type GpuDriver, type GpuSelection } from './gpu-request.js';

/** Where the per-run repository appears inside the server container. */
export const REPOSITORY_MOUNT = '/tslim/models';

/** The mount point of the i-th repository: /tslim/models, /tslim/models-1, ... */
export function repositoryMount(index: number): string {
  return index === 0 ? REPOSITORY_MOUNT : `${REPOSITORY_MOUNT}-${index}`;
}

export interface ServerSpec {
  image: string;
  /** Host folders with model repositories (the rendered samples, or the user's); bind-mounted read-only. */
  repositoryDirs: readonly string[];
  models: readonly string[];
  gpus: GpuSelection;
  gpuDriver: GpuDriver;
  shmSizeBytes: number;
  env?: Record<string, string>;
  runId: string;
  /** The image's own tritonserver flags that verify keeps (its label, less what verify sets itself). */
  imageArgs?: readonly string[];
}

export interface Ports {
  http: number;
  metrics: number;
}

export interface RunningServer {
  container: Container;
  ports: Ports;
  /** The command line the server was started with. */
  args: string[];
  httpUrl: string;
  metricsUrl: string;
  /** The server's log tail (stdout and stderr). */
  logs(tail?: number): Promise<string>;
  /** undefined while running, else the exit code. */
  exitCode(): Promise<number | undefined>;
}

/** Asks the OS for free TCP ports on the loopback (host networking: the server binds them next). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/**
 * tritonserver's command line for a verify run: the image's settings, then verify's own (explicit
 * loading, no exit on a failed model, no gRPC). The command starts with `tritonserver`, so the
 * image's wrapper (compose's server settings) runs it as given.
 */
export function serverArgs(
  models: readonly string[],
  ports: Ports,
  imageArgs: readonly string[] = [],
  repositories = 1,
): string[] {
  return [
    'tritonserver',
    ...imageArgs,
    ...Array.from({ length: repositories }, (_, i) => `--model-repository=${repositoryMount(i)}`),
    '--model-control-mode=explicit',
    ...models.map((m) => `--load-model=${m}`),
    // keep serving when a model fails so its state and reason can be read back
    '--exit-on-error=false',
    `--http-port=${ports.http}`,
    `--metrics-port=${ports.metrics}`,
    '--allow-grpc=false',
  ];
}

/** The Engine API create body: host network, read-only repository, shm for the python backend, GPUs. */
export function serverContainerSpec(spec: ServerSpec, ports: Ports): ContainerSpec {
  return {
    Image: spec.image,
    // The image's entrypoint stays (NVIDIA's sets up CUDA compat); tritonserver comes as the command.
    Cmd: serverArgs(spec.models, ports, spec.imageArgs, spec.repositoryDirs.length),
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: { 'dev.tslim.role': 'verify-server' },
    HostConfig: {
      NetworkMode: 'host',
      Binds: spec.repositoryDirs.map((dir, i) => `${dir}:${repositoryMount(i)}:ro`),
      ShmSize: spec.shmSizeBytes,
      DeviceRequests: deviceRequests(spec.gpus, spec.gpuDriver),
      AutoRemove: false,
    },
  };
}

/** Creates and starts the server; its removal is deferred onto `cleanup` before it is started. */
export async function startServer(
  engine: Engine,
  spec: ServerSpec,
  cleanup: Cleanup,
  signal?: AbortSignal,
): Promise<RunningServer> {
  const [http, metrics] = await freePorts(2);
  const ports = { http: http ?? 8000, metrics: metrics ?? 8002 };
  const container = await createContainer(engine, serverContainerSpec(spec, ports), spec.runId, signal).catch(
    (cause: unknown) => {
      throw gpuStartError(cause, spec) ?? cause;
    },
  );
  cleanup.defer(() => removeContainer(container));
  try {
    await container.start({ abortSignal: signal } as object);
  } catch (cause) {
    throw (
      gpuStartError(cause, spec) ?? new TslimError('ENGINE', `starting ${spec.image}: ${messageOf(cause)}`, { cause })
    );
  }
  return {
    container,
    ports,
    args: serverArgs(spec.models, ports, spec.imageArgs, spec.repositoryDirs.length),
    httpUrl: `http://127.0.0.1:${ports.http}`,
    metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`,
    logs: (tail = 60) => containerLogs(container, tail).catch(() => ''),
    exitCode: async () => {
      const info = await container.inspect();
      return info.State.Running ? undefined : info.State.ExitCode;
    },
  };
}

function messageOf(cause: unknown): string {
  return (cause as { json?: { message?: string } })?.json?.message ?? (cause as Error)?.message ?? String(cause);
}

/** The engine refusing DeviceRequests (no nvidia runtime, no CDI spec) is a GPU problem of the host, said plainly. */
export function gpuStartError(cause: unknown, spec: Pick<ServerSpec, 'gpus' | 'gpuDriver'>): TslimError | undefined {
  const message = messageOf(cause);
  if (!isEngineGpuError(message)) return undefined;
  return new TslimError(
    'GPU_UNAVAILABLE',
    `the engine cannot give the container ${describeGpus(spec.gpus)} (--gpus with the ${spec.gpuDriver} driver): ${message.trim()}`,
    {
      cause,
      hint:
        spec.gpuDriver === 'cdi'
          ? 'generate a CDI spec (nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml) and enable CDI in the engine (Docker >= 25), or verify without GPUs: --gpus none'
          : 'install the NVIDIA Container Toolkit and configure the engine (nvidia-ctk runtime configure --runtime=docker, then restart it), or verify without GPUs: --gpus none',
    },
  );
}
