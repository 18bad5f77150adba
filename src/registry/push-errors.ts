import { TslimError } from '../core/errors.js';
import { harborProject } from './harbor.js';
import { registryUnreachable } from './unreachable.js';

const AUTH_HINT =
  'check --username/--password-stdin, TSLIM_REGISTRY_USERNAME/TSLIM_REGISTRY_PASSWORD or `docker login` (docs/push.md)';

/** The account may read the repository but its token grants no push (a pull-only robot, or no project). */
export function noPushPermission(
  registry: string,
  repository: string,
  username: string | undefined,
  granted: string[],
  harbor: boolean,
): TslimError {
  const who = username ? `'${username}'` : 'anonymous';
  const project = harborProject(repository);
  const has = granted.length ? `only ${granted.join(', ')}` : 'nothing';
  const fix = username?.startsWith('robot$')
    ? `give ${username} push permission on project ${project} (Harbor: Projects > ${project} > Robot Accounts, or a new robot account with Push Artifact)`
    : `give ${who} a role that pushes in project ${project} (Harbor: Projects > ${project} > Members, Developer or above)`;
  return new TslimError(
    'REGISTRY_AUTH',
    `${who} may not push to ${registry}/${repository}: the registry's token service grants ${has}`,
    {
      hint:
        harbor || username?.startsWith('robot$')
          ? `${fix}, or push with an account that has it`
          : `${fix}; ${AUTH_HINT}`,
      details: { registry, repository, granted, ...(username ? { username } : {}) },
    },
  );
}

/** An engine push failure about credentials (REGISTRY_AUTH), an ingress body limit (HTTP 413), or a registry it cannot reach. */
export function classifyPushError(error: unknown, registry: string, username: string | undefined): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (/\b413\b|Request Entity Too Large/i.test(message)) {
    return new TslimError(
      'REGISTRY_FAILED',
      `a proxy in front of ${registry} refused a layer upload as too large (HTTP 413 Request Entity Too Large)`,
      {
        cause: error,
        hint: 'raise the ingress body size limit (nginx: client_max_body_size 0; Kubernetes ingress-nginx: annotation nginx.ingress.kubernetes.io/proxy-body-size: "0"), or push to the registry without that proxy',
        details: { registry, status: 413 },
      },
    );
  }
  const unreachable = registryUnreachable(message, registry);
  if (unreachable) {
    return new TslimError(
      'REGISTRY_FAILED',
      `the engine cannot reach registry ${registry} to push: ${unreachable.summary}; the engine said: ${message}`,
      {
        cause: error,
        hint: unreachable.fix,
        details: { registry, reason: unreachable.kind },
      },
    );
  }
  if (/unauthorized|authentication required|denied|no basic auth credentials/i.test(message)) {
    return new TslimError(
      'REGISTRY_AUTH',
      `registry ${registry} refused the push ${username ? `for user '${username}'` : '(no credentials)'}: ${message}`,
      { cause: error, hint: AUTH_HINT, details: { registry, ...(username ? { username } : {}) } },
    );
  }
  return error;
}
