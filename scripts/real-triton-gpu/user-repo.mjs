// A user's repository against a running server, with tslim's own code (dist/): the repository scan and
// load order (ensemble steps first), load through the repository API, metadata + config read into a
// signature, tslim's deterministic requests (batch 1 and 3), binary KServe v2 infer, decoded outputs.
// `tslim verify --model-repository` does the same inside a container it starts; the GPU machine has no
// container engine, so this drives the same functions against the process. Prints one JSON object.
// usage: node scripts/real-triton-gpu/user-repo.mjs http://127.0.0.1:PORT REPO_DIR
import { KServeClient, KServeError } from '../../dist/verify/kserve-client.js';
import { generateRequest, signatureOf } from '../../dist/verify/request-gen.js';
import { scanRepositories, selectModels } from '../../dist/verify/user-repository.js';
import { send } from '../../dist/verify/user-run.js';

const [url, repo] = process.argv.slice(2);
if (!url || !repo) throw new Error('usage: user-repo.mjs URL REPO_DIR');
const client = new KServeClient(url);
const models = selectModels(await scanRepositories([repo]), []);
const results = [];
for (const m of models) {
  const t0 = performance.now();
  let loadError;
  try {
    await client.loadModel(m.name);
  } catch (cause) {
    if (!(cause instanceof KServeError)) throw cause;
    loadError = cause.message;
  }
  const loadMs = Math.round(performance.now() - t0);
  const entry = (await client.repositoryIndex()).find((e) => e.name === m.name);
  const r = { name: m.name, backend: m.backend, platform: m.platform, loadMs, state: entry?.state ?? 'UNKNOWN' };
  if (entry?.state !== 'READY') {
    r.reason = entry?.reason ?? loadError;
    results.push(r);
    continue;
  }
  const config = await client.modelConfig(m.name);
  const sig = signatureOf(m.name, await client.modelMetadata(m.name), config);
  r.instanceKinds = [...new Set((config.instance_group ?? []).map((g) => g.kind ?? 'KIND_AUTO'))];
  r.signature = sig;
  r.requests = [];
  for (const batch of sig.maxBatchSize >= 3 ? [1, 3] : [1]) {
    const request = generateRequest(sig, [], batch);
    const t = performance.now();
    let answer;
    try {
      answer = await send(client, m.name, request);
    } catch (cause) {
      // the connection itself failed (a backend process that died takes the request with it)
      answer = {
        request: request.id,
        error: `${cause?.message ?? cause}${cause?.cause ? `: ${cause.cause.message ?? cause.cause}` : ''}`,
      };
    }
    r.requests.push({ batch, ms: Math.round((performance.now() - t) * 10) / 10, inputs: request.inputs, ...answer });
  }
  results.push(r);
}
const ok = results.every((r) => r.state === 'READY' && r.requests.every((q) => !q.error));
console.log(JSON.stringify({ ok, url, repository: repo, models: results }, null, 1));
