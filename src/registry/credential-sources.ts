import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ENV_PASSWORD, ENV_USERNAME, normalizeKey, type DockerConfig } from './credentials.js';

/** Where a registry's credentials would come from; never the credentials themselves. */
export interface CredentialSource {
  /** Registry host as written in config.json (normalized), or `*` for every registry. */
  registry: string;
  source: 'env' | 'auths' | 'auths (identity token)' | 'credHelpers' | 'credsStore' | 'auths (empty)';
  /** The credential helper program, for credHelpers/credsStore. */
  helper?: string;
}

/**
 * The registries config.json (and the TSLIM_REGISTRY_* variables) give credentials for, in the order
 * resolveAuth asks: env for any registry, credHelpers[host], credsStore, then the auths entry. An
 * auths entry without auth/username is what `docker login` leaves beside a credsStore.
 */
export function credentialSources(config: DockerConfig | undefined, env: NodeJS.ProcessEnv): CredentialSource[] {
  const found: CredentialSource[] = [];
  if (env[ENV_USERNAME] && env[ENV_PASSWORD] !== undefined) found.push({ registry: '*', source: 'env' });
  if (!config) return found;
  const helpers = new Map(Object.entries(config.credHelpers ?? {}).map(([k, v]) => [normalizeKey(k), v]));
  for (const [registry, helper] of helpers) found.push({ registry, source: 'credHelpers', helper });
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    const registry = normalizeKey(key);
    if (helpers.has(registry)) continue;
    if (config.credsStore) found.push({ registry, source: 'credsStore', helper: config.credsStore });
    else if (entry.auth || entry.username) found.push({ registry, source: 'auths' });
    else if (entry.identitytoken) found.push({ registry, source: 'auths (identity token)' });
    else found.push({ registry, source: 'auths (empty)' });
  }
  return found;
}

/** The credential helper programs config.json names that are not on PATH (a push would fail). */
export async function missingHelpers(config: DockerConfig | undefined, env: NodeJS.ProcessEnv): Promise<string[]> {
  const names = new Set([
    ...Object.values(config?.credHelpers ?? {}),
    ...(config?.credsStore ? [config.credsStore] : []),
  ]);
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  const missing: string[] = [];
  for (const name of names) {
    const program = `docker-credential-${name}`;
    const checks = await Promise.all(
      dirs.map((d) =>
        access(join(d, program), constants.X_OK).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (!checks.includes(true)) missing.push(program);
  }
  return missing.sort();
}
