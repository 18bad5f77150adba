import { TslimError } from '../core/errors.js';
import type { DistributionClient } from './distribution-client.js';

/** The Harbor project of a repository: its first path part. */
export function harborProject(repository: string): string {
  return repository.split('/')[0] ?? repository;
}

/**
 * Checks that a Harbor project exists before pushing into it: Harbor API v2.0
 * `HEAD /api/v2.0/projects?project_name=NAME` answers 200 when it exists, 404 when not
 * (goharbor/harbor api/v2.0/swagger.yaml, operation headProject).
 */
export async function checkHarborProject(
  client: DistributionClient,
  repository: string,
  registry: string,
): Promise<void> {
  const project = harborProject(repository);
  const path = `/api/v2.0/projects?project_name=${encodeURIComponent(project)}`;
  const response = await client.apiRequest('HEAD', path);
  await response.body?.cancel();
  if (response.status === 200) return;
  if (response.status === 404) {
    throw new TslimError('REGISTRY_FAILED', `Harbor project '${project}' does not exist on ${registry}`, {
      hint: `create project ${project} in Harbor or push to an existing one (Harbor: Projects > New Project); the first path part of REF is the project`,
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

/** What Harbor knows of a pushed artifact (GET /api/v2.0/projects/{p}/repositories/{r}/artifacts/{ref}). */
export interface HarborArtifact {
  digest: string;
  /** Harbor's artifact size: manifest, config and layers. */
  size: number;
  tags: string[];
}

/** Looks an artifact up through Harbor's API; undefined when Harbor does not have it. */
export async function harborArtifact(
  client: DistributionClient,
  repository: string,
  reference: string,
  registry: string,
): Promise<HarborArtifact | undefined> {
  const project = harborProject(repository);
  // Harbor wants a repository name with '/' encoded twice (a/b -> a%252Fb), swagger.yaml `repositoryName`
  const name = encodeURIComponent(encodeURIComponent(repository.slice(project.length + 1)));
  const path = `/api/v2.0/projects/${encodeURIComponent(project)}/repositories/${name}/artifacts/${encodeURIComponent(reference)}`;
  const response = await client.apiRequest('GET', path);
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new TslimError(
      'REGISTRY_FAILED',
      `Harbor artifact lookup on ${registry} answered ${response.status} (${path})`,
      {
        details: { registry, project, status: response.status },
      },
    );
  }
  const body = (await response.json()) as { digest?: unknown; size?: unknown; tags?: { name?: unknown }[] | null };
  if (typeof body.digest !== 'string' || typeof body.size !== 'number') {
    throw new TslimError(
      'REGISTRY_FAILED',
      `Harbor on ${registry} answered an artifact without digest or size (${path})`,
    );
  }
  const tags = (body.tags ?? []).map((t) => t.name).filter((t): t is string => typeof t === 'string');
  return { digest: body.digest, size: body.size, tags };
}
