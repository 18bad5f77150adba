// Harbor API v2.0 (goharbor/harbor api/v2.0/swagger.yaml), the part tslim uses: health, projects
// (list, HEAD ?project_name=, get by name or id), repositories and artifacts of a project.
// Basic auth as Harbor accepts it (users and robot accounts); errors as {"errors":[{code,message}]}.
import { authenticate, canSee } from './accounts.mjs';
import { manifest, repositories, tags } from './registry-reader.mjs';

const err = (status, code, message) => [status, { errors: [{ code, message }] }];

function project(p, account) {
  return {
    project_id: p.id,
    name: p.name,
    owner_id: 1,
    owner_name: 'admin',
    registry_id: null,
    repo_count: 0,
    creation_time: p.created,
    update_time: p.created,
    deleted: false,
    current_user_role_id: account?.permissions?.[p.name]?.includes('push') ? 2 : account ? 3 : 0,
    metadata: { public: String(Boolean(p.public)) },
  };
}

async function artifact(state, p, repository, reference) {
  const m = await manifest(state, repository, reference);
  if (!m) return undefined;
  const all = (await tags(state, repository)) ?? [];
  const named = [];
  for (const t of all) if ((await manifest(state, repository, t))?.digest === m.digest) named.push(t);
  const seen = (state.firstSeen[m.digest] ??= new Date().toISOString());
  return {
    id: state.ids(m.digest),
    type: 'IMAGE',
    media_type: m.configMediaType,
    manifest_media_type: m.manifestMediaType,
    project_id: p.id,
    repository_name: repository,
    digest: m.digest,
    size: m.size,
    push_time: seen,
    tags: named.map((name) => ({ name, push_time: seen, immutable: false })),
  };
}

/** Answers /api/v2.0/...; returns [status, body] (body undefined for HEAD). */
export async function apiResponse(method, url, headers, state) {
  const account = authenticate(headers.authorization, state.accounts);
  if (account === false) return err(401, 'UNAUTHORIZED', 'unauthorized');
  const parts = url.pathname
    .replace(/^\/api\/v2\.0\/?/, '')
    .split('/')
    .map(decodeURIComponent);
  if (parts[0] === 'health') return [200, { status: 'healthy', components: [{ name: 'core', status: 'healthy' }] }];
  if (parts[0] !== 'projects') return err(404, 'NOT_FOUND', `no API at ${url.pathname}`);
  if (parts.length === 1) {
    const wanted = url.searchParams.get('project_name');
    if (method === 'HEAD') return [state.projects.some((p) => p.name === wanted) ? 200 : 404, undefined];
    const name = url.searchParams.get('name');
    const list = state.projects.filter((p) => canSee(account, p) && (!name || p.name.includes(name)));
    return [200, list.map((p) => project(p, account))];
  }
  const key = parts[1];
  const byId = headers['x-is-resource-name'] !== 'true' && /^\d+$/.test(key);
  const p = state.projects.find((x) => (byId ? String(x.id) === key : x.name === key));
  if (!p) return err(404, 'NOT_FOUND', `project ${key} not found`);
  if (!canSee(account, p)) {
    return account ? err(403, 'FORBIDDEN', 'forbidden') : err(401, 'UNAUTHORIZED', 'unauthorized');
  }
  if (parts.length === 2) return [200, project(p, account)];
  if (parts[2] !== 'repositories') return err(404, 'NOT_FOUND', `no API at ${url.pathname}`);
  // repository_name arrives encoded twice (a/b -> a%252Fb); decodeURIComponent above undid one
  const repoName = parts[3] === undefined ? undefined : `${p.name}/${decodeURIComponent(parts[3])}`;
  if (!repoName) {
    const names = await repositories(state, p.name);
    return [
      200,
      names.map((name) => ({ id: state.ids(name), project_id: p.id, name, artifact_count: 0, pull_count: 0 })),
    ];
  }
  const repoTags = await tags(state, repoName);
  if (repoTags === undefined) return err(404, 'NOT_FOUND', `repository ${repoName} not found`);
  if (parts.length === 4) {
    return [
      200,
      { id: state.ids(repoName), project_id: p.id, name: repoName, artifact_count: repoTags.length, pull_count: 0 },
    ];
  }
  if (parts[4] !== 'artifacts') return err(404, 'NOT_FOUND', `no API at ${url.pathname}`);
  if (parts[5] === undefined) {
    const list = [];
    for (const t of repoTags) {
      const a = await artifact(state, p, repoName, t);
      if (a && !list.some((x) => x.digest === a.digest)) list.push(a);
    }
    return [200, list];
  }
  const found = await artifact(state, p, repoName, parts[5]);
  return found ? [200, found] : err(404, 'NOT_FOUND', `artifact ${repoName}:${parts[5]} not found`);
}
