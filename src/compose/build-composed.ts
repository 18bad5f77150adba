import { writeFile } from 'node:fs/promises';
import { TslimError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Progress } from '../core/progress.js';
import { redact } from '../core/redact.js';
import { buildImage, buildStep, type BuildResult } from '../docker/build.js';
import { pingEngine, type Engine } from '../docker/engine.js';
import type { StreamEvent } from '../docker/json-stream.js';
import { resolveAuth } from '../registry/credentials.js';
import { splitReference } from './mirrors.js';
import { chooseBuilder, type Builder } from './choose-builder.js';
import type { ComposePlan } from './plan.js';

export interface BuildDeps {
  engine: Engine;
  log: Logger;
  progress: Progress;
  signal: AbortSignal;
  labels: Record<string, string>;
  logPath: string;
  /** tslim pulled the base images itself before the build (no --skip-pull). */
  prePulled: boolean;
}

/**
 * Proxy settings travel as the engine's predefined proxy build args (both cases): both builders
 * keep them out of the image's history as long as no ARG line declares them (the templates have
 * none), and no ENV or Dockerfile line carries them.
 */
export function proxyBuildArgs(plan: ComposePlan): Record<string, string> {
  const args: Record<string, string> = {};
  const set = (name: string, value: string | undefined): void => {
    if (value === undefined) return;
    args[name] = value;
    args[name.toLowerCase()] = value;
  };
  set('HTTP_PROXY', plan.proxy.http);
  set('HTTPS_PROXY', plan.proxy.https);
  set('NO_PROXY', plan.proxy.no);
  return args;
}

async function registryConfig(
  plan: ComposePlan,
): Promise<Record<string, { username: string; password: string }> | undefined> {
  if (!plan.output.pull) return undefined;
  const config: Record<string, { username: string; password: string }> = {};
  for (const ref of Object.values(plan.images)) {
    const host = splitReference(ref).registry;
    const auth = await resolveAuth(host);
    if (auth) config[auth.serveraddress] = { username: auth.username, password: auth.password };
  }
  return Object.keys(config).length > 0 ? config : undefined;
}

/** After a broken build stream: true when the engine itself no longer answers (stopped, restarted, killed). */
async function engineGone(engine: Engine): Promise<boolean> {
  try {
    await pingEngine(engine, AbortSignal.timeout(5_000));
    return false;
  } catch {
    return true;
  }
}

/**
 * Builds the rendered Dockerfile on the engine and keeps its log (secrets redacted) in deps.logPath:
 * a failure's hint names it; a success returns it (undefined when the file could not be written).
 */
export async function buildComposed(
  plan: ComposePlan,
  dockerfile: string,
  deps: BuildDeps,
): Promise<{ id: string; tag: string; builder: Builder; log: string | undefined }> {
  const lines: string[] = [];
  const secrets = Object.values(plan.proxy).filter((v): v is string => typeof v === 'string');
  const onEvent = (event: StreamEvent): void => {
    const text = event.stream ?? event.status ?? event.error ?? '';
    if (!text) return;
    lines.push(text);
    deps.log.raw(text);
    const step = buildStep(text);
    if (step) deps.progress.update(step.slice(0, 120));
  };
  const tag = plan.output.name;
  const builder = await chooseBuilder(plan, deps);
  deps.progress.start(builder === 'classic' ? `building ${tag}` : `building ${tag} with BuildKit`);
  try {
    const common = {
      context: { 'Dockerfile.compose': dockerfile },
      dockerfile: 'Dockerfile.compose',
      tag,
      buildargs: { ...plan.output.buildArgs, ...proxyBuildArgs(plan) },
      labels: deps.labels,
      networkmode: plan.output.network,
      nocache: plan.output.noCache,
    };
    let result: BuildResult;
    if (builder === 'buildkit') {
      // loaded only for BuildKit builds: protobufjs costs start-up time the classic path does not need
      const { buildImageBuildKit } = await import('../docker/buildkit-build.js');
      result = await buildImageBuildKit(deps.engine, { ...common, signal: deps.signal, onEvent });
    } else {
      const registryconfig = await registryConfig(plan);
      result = await buildImage(deps.engine, {
        ...common,
        pull: plan.output.pull,
        ...(registryconfig ? { registryconfig } : {}),
        signal: deps.signal,
        onEvent,
      });
    }
    deps.progress.succeed(`built ${tag} (${result.id.replace(/^sha256:/, '').slice(0, 12)})`);
    const log = await writeFile(deps.logPath, redact(lines.join(''), secrets)).then(
      () => deps.logPath,
      () => undefined,
    );
    return { id: result.id, tag, builder, log };
  } catch (error) {
    deps.progress.fail(`build of ${tag} failed`);
    if (error instanceof TslimError && error.code === 'ABORTED') throw error;
    await writeFile(deps.logPath, redact(lines.join(''), secrets)).catch(() => undefined);
    const gone = await engineGone(deps.engine);
    if (gone) {
      throw new TslimError('ENGINE_UNREACHABLE', `the Docker engine stopped answering during the build of ${tag}`, {
        cause: error,
        hint: `restart it and run compose again; the build log so far is in ${deps.logPath}`,
      });
    }
    if (error instanceof TslimError) {
      throw new TslimError(error.code, error.message, {
        cause: error.cause ?? error,
        hint: `${/no space left on device/i.test(error.message) ? "the engine's disk is full: free space in its data root (docker system df; docker builder prune; docker image prune), or point the engine's data-root at a larger disk; " : ''}the full build log is in ${deps.logPath}`,
        ...(error.details ? { details: error.details } : {}),
      });
    }
    throw error;
  }
}
