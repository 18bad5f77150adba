import { TslimError, usageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { buildKitOffer, hasNetwork } from '../docker/builders.js';
import type { Engine } from '../docker/engine.js';
import type { ComposePlan } from './plan.js';

export type Builder = 'buildkit' | 'classic';

export interface ChooseDeps {
  engine: Engine;
  log: Logger;
  signal: AbortSignal;
  /** tslim pulled the base images before the build (no --skip-pull). */
  prePulled: boolean;
}

/**
 * The builder a compose uses. `classic` is taken as asked, without asking the engine anything.
 * `auto` takes BuildKit when the engine offers it and the build needs nothing BuildKit cannot do
 * here; `buildkit` takes it, and fails early where it could not work:
 * - a pull during the build (--pull with --skip-pull) needs a BuildKit session with registry
 *   credentials, which tslim does not open (see docker/buildkit-build.ts);
 * - `--network default` is BuildKit's own bridge network, which an engine started with
 *   --bridge=none lacks ("network bridge not found" at the first RUN).
 */
export async function chooseBuilder(plan: ComposePlan, deps: ChooseDeps): Promise<Builder> {
  const asked = plan.output.builder;
  if (asked === 'classic') return 'classic';
  const auto = asked === 'auto';
  const offer = await buildKitOffer(deps.engine, deps.signal);
  if (!offer.offered) {
    if (auto) {
      deps.log.debug(`builder: classic (${offer.why})`);
      return 'classic';
    }
    deps.log.warn(`--builder buildkit on ${offer.why}: trying it anyway`);
  }
  if (plan.output.pull && !deps.prePulled) {
    // the CLI refuses `--builder buildkit --pull --skip-pull` before any engine call; this is for other callers
    if (!auto) throw usageError('--builder buildkit cannot pull during the build (--pull with --skip-pull)');
    deps.log.debug('builder: classic (--pull with --skip-pull: a pull during the build needs the classic builder)');
    return 'classic';
  }
  if (plan.output.network === 'default' && !(await hasNetwork(deps.engine, 'bridge', deps.signal))) {
    if (auto) {
      deps.log.debug("builder: classic (--network default, and the engine has no 'bridge' network for BuildKit)");
      return 'classic';
    }
    throw new TslimError(
      'BUILD_FAILED',
      "BuildKit's default network needs the engine's 'bridge' network, which this engine lacks",
      {
        hint: 'use --network host (the default), --builder classic, or start dockerd without --bridge=none',
      },
    );
  }
  if (auto) deps.log.debug(`builder: BuildKit (${offer.why})`);
  return 'buildkit';
}
