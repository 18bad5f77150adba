import { TslimError } from '../core/errors.js';
import { explicitBackends, fromHeld } from './backends.js';
import { evaluateModels, settledIndex } from './evaluate.js';
import { KServeClient } from './kserve-client.js';
import { SAMPLE_BACKENDS } from './sample-backends.js';
import { loadCase, modelName } from './sample-repository.js';
import { finish, maybeSoak } from './verify-finish.js';
import type { VerifyDeps, VerifyOptions, VerifyReport } from './verify-types.js';

/** Checks a server that is already running: its tslim_* sample models, over KServe v2. */
export async function verifyUrl(
  url: string,
  options: VerifyOptions,
  deps: Pick<VerifyDeps, 'signal' | 'progress' | 'log'>,
): Promise<VerifyReport> {
  const started = Date.now();
  const client = new KServeClient(url, { signal: deps.signal });
  if (!(await client.live())) {
    throw new TslimError('VERIFY_FAILED', `no Triton server is live at ${client.baseUrl} (GET /v2/health/live)`, {
      hint: 'check the address and the --http-port it was started with',
    });
  }
  const index = await client.repositoryIndex();
  const present = SAMPLE_BACKENDS.filter((b) => index.some((e) => e.name === modelName(b)));
  const selection =
    options.backends && options.backends.length > 0 ? explicitBackends(options.backends) : fromHeld(present, 'server');
  if (selection.backends.length === 0) {
    throw new TslimError(
      'VERIFY_FAILED',
      `the server at ${client.baseUrl} has none of tslim's sample models (${SAMPLE_BACKENDS.map(modelName).join(', ')})`,
      {
        hint: 'start it with the repository that `tslim verify --write-repository DIR` writes, loading the samples (--load-model=tslim_onnxruntime ...)',
      },
    );
  }
  const cases = await loadCase();
  const names = selection.backends.map(modelName);
  const settled = await settledIndex(client, names, Date.now() + options.timeoutMs, deps.signal);
  const results = await evaluateModels(
    client,
    selection.backends.map((b) => ({ backend: b, name: modelName(b) })),
    settled,
    cases,
  );
  const metricsUrl = options.metricsUrl ?? defaultMetricsUrl(client.baseUrl);
  const soak = await maybeSoak(client, metricsUrl, results, cases, options, deps);
  return finish({ url: client.baseUrl, options, selection, results, soak, started });
}

export function defaultMetricsUrl(httpUrl: string): string {
  const u = new URL(httpUrl);
  u.port = '8002';
  u.pathname = '/metrics';
  return u.toString();
}
