// The test world's Harbor double (plain Node, no deps, runs detached with `node`): Harbor core's
// token service, the Harbor API v2.0 subset tslim uses, /v2/* forwarded to the token-auth registry
// (with the OCI 1.1 referrers API in front of it, referrers.mjs),
// an ingress with a body limit on a second port, and /_world/* controls for tests.
// Usage: node server.mjs CONFIG.json   (written by test/world/harbor-world.ts, mode 0600)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiResponse } from './api.mjs';
import { libtrustKeyId } from './jwt.mjs';
import { forward, ingress } from './proxy.mjs';
import { isManifestPut, isReferrersGet, putManifest, referrers } from './referrers.mjs';
import { tokenResponse } from './token-service.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const privateKey = readFileSync(config.keyFile, 'utf8');
const ids = new Map();
const defaults = () => ({
  lifetimeSeconds: config.lifetimeSeconds,
  // expires_in told to clients; undefined = the real lifetime (a lie here stands for revocation or skew)
  advertisedSeconds: undefined,
  ingressMaxBodyBytes: config.ingressMaxBodyBytes,
  delayManifestPuts: { count: 0, ms: 0 },
});
const state = {
  ...config,
  ...defaults(),
  key: { privateKey, kid: libtrustKeyId(privateKey) },
  stats: { tokens: {}, ingress413: 0, delayedManifestPuts: 0 },
  firstSeen: {},
  // subject -> descriptors of the manifests that name it (referrers.mjs)
  referrers: {},
  ids: (key) => ids.get(key) ?? ids.set(key, ids.size + 1).get(key),
};

function send(res, status, body) {
  if (body === undefined) return res.writeHead(status).end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : {};
}

/** /_world/*: token lifetime, ingress limit, delayed manifest PUTs, counters, reset. */
async function control(req, res, url) {
  const what = url.pathname.slice('/_world/'.length);
  if (req.method === 'GET' && what === 'stats') return send(res, 200, state.stats);
  if (req.method === 'GET' && what === 'settings') {
    const { lifetimeSeconds, advertisedSeconds, ingressMaxBodyBytes, delayManifestPuts } = state;
    return send(res, 200, { lifetimeSeconds, advertisedSeconds, ingressMaxBodyBytes, delayManifestPuts });
  }
  if (req.method !== 'POST') return send(res, 405, { error: 'POST' });
  const body = await readJson(req);
  if (what === 'reset') Object.assign(state, defaults());
  else if (what === 'token-lifetime') {
    state.lifetimeSeconds = Number(body.seconds);
    state.advertisedSeconds = body.advertise === undefined ? undefined : Number(body.advertise);
  } else if (what === 'ingress') state.ingressMaxBodyBytes = Number(body.maxBodyBytes);
  else if (what === 'delay-manifest-puts') state.delayManifestPuts = { count: Number(body.count), ms: Number(body.ms) };
  else return send(res, 404, { error: `unknown control ${what}` });
  return send(res, 200, { ok: true });
}

async function front(req, res) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname.startsWith('/v2/') || url.pathname === '/v2') {
    let delayMs = 0;
    if (req.method === 'PUT' && url.pathname.includes('/manifests/') && state.delayManifestPuts.count > 0) {
      state.delayManifestPuts.count -= 1;
      state.stats.delayedManifestPuts += 1;
      delayMs = state.delayManifestPuts.ms;
    }
    if (delayMs > 0) await sleep(delayMs);
    if (isReferrersGet(req, url)) return referrers(req, res, url, state);
    if (isManifestPut(req, url)) return putManifest(req, res, url, state);
    return forward(req, res, state.registry);
  }
  if (req.method === 'GET' && url.pathname === '/service/token') {
    const [status, body] = tokenResponse(url, req.headers.authorization, state);
    return send(res, status, body);
  }
  if (url.pathname.startsWith('/api/v2.0/')) {
    const [status, body] = await apiResponse(req.method, url, req.headers, state);
    return send(res, status, req.method === 'HEAD' ? undefined : body);
  }
  if (url.pathname.startsWith('/_world/')) return control(req, res, url);
  return send(res, 404, { errors: [{ code: 'NOT_FOUND', message: url.pathname }] });
}

function log(port, req, res) {
  // never the query of /service/token beyond scope/service, never Authorization
  res.on('finish', () =>
    console.log(`${new Date().toISOString()} :${port} ${req.method} ${req.url} ${res.statusCode}`),
  );
}

const handle = (fn, port) => (req, res) => {
  log(port, req, res);
  fn(req, res).catch((e) => {
    console.error(e);
    if (!res.headersSent) send(res, 500, { errors: [{ code: 'INTERNAL', message: String(e.message) }] });
    else res.destroy();
  });
};

const servers = [
  createServer(handle(front, config.harborPort)).listen(config.harborPort, '127.0.0.1'),
  createServer(
    handle(async (req, res) => ingress(req, res, `127.0.0.1:${config.harborPort}`, state), config.ingressPort),
  ).listen(config.ingressPort, '127.0.0.1'),
];
console.log(`harbor double on 127.0.0.1:${config.harborPort}, ingress on 127.0.0.1:${config.ingressPort}`);
for (const sig of ['SIGTERM', 'SIGINT'])
  process.on(sig, () => {
    for (const s of servers) {
      s.close();
      s.closeAllConnections(); // the engine keeps connections alive; do not wait for it
    }
    process.exit(0);
  });
