// Harbor core's token endpoint (GET /service/token), the realm of the registry's `auth: token`
// challenge: Basic credentials of a user or robot account (or none: anonymous), one or more
// `scope=repository:NAME:ACTIONS`; grants the requested actions the account holds on NAME's
// project, drops the rest (a missing project grants nothing), as the distribution token spec says
// (https://distribution.github.io/distribution/spec/auth/token/).
import { actionsOn, authenticate, projectOf } from './accounts.mjs';
import { claims, signJwt } from './jwt.mjs';

export function parseScope(scope) {
  // repository:NAME:ACTIONS, where NAME may hold ':' only in a registry host (not here)
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

/** Answers one token request; `state` holds accounts, projects, the key, lifetime and counters. */
export function tokenResponse(url, authorization, state) {
  const service = url.searchParams.get('service');
  if (service !== state.service) {
    return [400, { errors: [{ code: 'BAD_REQUEST', message: `unknown service '${service ?? ''}'` }] }];
  }
  const account = authenticate(authorization, state.accounts);
  if (account === false) {
    return [
      401,
      { errors: [{ code: 'UNAUTHORIZED', message: 'authentication failed: invalid username or password' }] },
    ];
  }
  const access = [];
  for (const raw of url.searchParams.getAll('scope')) {
    for (const piece of raw.split(' ')) {
      const scope = parseScope(piece);
      if (!scope || scope.type !== 'repository') continue;
      const held = actionsOn(account, projectOf(scope.name, state.projects));
      const wanted = scope.actions.includes('*') ? ['pull', 'push', 'delete'] : scope.actions;
      access.push({ type: 'repository', name: scope.name, actions: wanted.filter((a) => held.includes(a)) });
    }
  }
  const subject = account?.username ?? '';
  const lifetimeSeconds = state.lifetimeSeconds;
  const payload = claims({
    issuer: state.issuer,
    subject,
    audience: state.service,
    access,
    lifetimeSeconds,
  });
  const token = signJwt(payload, state.key);
  state.stats.tokens[subject || '(anonymous)'] = (state.stats.tokens[subject || '(anonymous)'] ?? 0) + 1;
  return [
    200,
    {
      token,
      access_token: token,
      expires_in: state.advertisedSeconds ?? lifetimeSeconds,
      issued_at: new Date(payload.iat * 1000).toISOString(),
    },
  ];
}

/** A token the double uses itself to read the registry (catalog, tags, manifests) for the API. */
export function internalToken(state, access) {
  return signJwt(
    claims({ issuer: state.issuer, subject: 'harbor-core', audience: state.service, access, lifetimeSeconds: 120 }),
    state.key,
  );
}
