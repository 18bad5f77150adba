import { join } from 'node:path';
import { homedir } from 'node:os';
import { splitReference } from '../compose/mirrors.js';
import { credentialSources } from './credential-sources.js';
import { ENV_PASSWORD, ENV_USERNAME, readDockerConfig, resolveAuth, type RegistryAuth } from './credentials.js';

/** NGC's registry; its pulls authenticate as `$oauthtoken` with an NGC API key as the password. */
export const NGC_REGISTRY = 'nvcr.io';
/** The fixed username NGC wants with an API key (docs.nvidia.com/ngc, "Accessing the NGC Container Registry"). */
export const NGC_USERNAME = '$oauthtoken';
export const ENV_NGC_API_KEY = 'NGC_API_KEY';

/** Credentials for a pull and where they came from (named in errors; never the secret). */
export interface PullCredentials {
  auth?: RegistryAuth;
  /** e.g. `NGC_API_KEY`, `docker config auths for nvcr.io`, `none`. */
  source: string;
}

async function describeConfigSource(host: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (env[ENV_USERNAME] && env[ENV_PASSWORD] !== undefined) return `${ENV_USERNAME}/${ENV_PASSWORD}`;
  const dir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  const found = credentialSources(await readDockerConfig(join(dir, 'config.json')), env).find(
    (s) => s.registry === host,
  );
  if (found?.helper) return `docker config ${found.source} for ${host} (docker-credential-${found.helper})`;
  return `docker config auths for ${host}`;
}

/**
 * Who a pull authenticates as. An image requested from nvcr.io uses NGC's scheme: `$oauthtoken` +
 * NGC_API_KEY when set, else what the docker config holds for nvcr.io (`docker login nvcr.io`),
 * sent to whichever host serves the pull (a --registry-mirror stands in for nvcr.io). Other images,
 * and an NGC image with no NGC credentials pulled through a mirror, use the serving host's own.
 */
export async function pullCredentials(
  requested: string,
  used: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PullCredentials> {
  const from = splitReference(requested).registry;
  const to = splitReference(used).registry;
  if (from === NGC_REGISTRY) {
    const key = env[ENV_NGC_API_KEY];
    if (key) return { auth: { username: NGC_USERNAME, password: key, serveraddress: to }, source: ENV_NGC_API_KEY };
    const saved = await resolveAuth(NGC_REGISTRY, { env });
    if (saved) return { auth: { ...saved, serveraddress: to }, source: await describeConfigSource(NGC_REGISTRY, env) };
    if (to === from) return { source: 'none' };
  }
  const own = await resolveAuth(to, { env });
  return own ? { auth: own, source: await describeConfigSource(to, env) } : { source: 'none' };
}
