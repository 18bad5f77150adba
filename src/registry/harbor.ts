import { TslimError } from '../core/errors.js';
import type { DistributionClient } from './distribution-client.js';

/**
 * Checks that a Harbor project exists before pushing into it: Harbor API v2.0
 * `HEAD /api/v2.0/projects?project_name=NAME` answers 200 when it exists, 404 when not.
 */
export async function checkHarborProject(
  client: DistributionClient,
  repository: string,
  registry: string,
): Promise<void> {
  const project = repository.split('/')[0] ?? repository;
  const path = `/api/v2.0/projects?project_name=${encodeURIComponent(project)}`;
  const response = await client.request('HEAD', path);
  await response.body?.cancel();
  if (response.status === 200) return;
  if (response.status === 404) {
    throw new TslimError('REGISTRY_FAILED', `Harbor project '${project}' does not exist on ${registry}`, {
      hint: `create it in Harbor (Projects > New Project) or push to an existing project; the reference's first path part is the project`,
      details: { registry, project },
    });
  }
  throw new TslimError(
    'REGISTRY_FAILED',
    `Harbor project check on ${registry} answered ${response.status} (${path}); is this a Harbor registry?`,
    {
      hint: 'drop --harbor for a plain registry',
      details: { registry, project, status: response.status },
    },
  );
}
