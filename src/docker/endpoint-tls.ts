import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TslimError } from '../core/errors.js';

/** TLS files for a tcp:// engine, and where they came from (named in errors; never their contents). */
export interface EndpointTls {
  ca?: string;
  cert?: string;
  key?: string;
  /** No server verification: a context's SkipTLSVerify, or DOCKER_TLS without DOCKER_TLS_VERIFY. */
  skipVerify: boolean;
  /** "DOCKER_CERT_PATH=/dir", "~/.docker (DOCKER_CERT_PATH unset)" or "docker context 'x' (/dir)". */
  from: string;
}

/**
 * TLS for DOCKER_HOST=tcp://… as the docker CLI reads its environment (docker/cli cli/flags/options.go,
 * SetDefaultOptions): DOCKER_TLS_VERIFY (any non-empty value) turns TLS on and verifies the server
 * against DOCKER_CERT_PATH/ca.pem; DOCKER_TLS alone turns TLS on without verification;
 * DOCKER_CERT_PATH defaults to the docker config dir; cert.pem/key.pem are used when present.
 * Without either variable a tcp:// engine is plain HTTP.
 */
export function tlsFromEnv(env: NodeJS.ProcessEnv, configDir: string): EndpointTls | undefined {
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!verify && !env.DOCKER_TLS) return undefined;
  const dir = env.DOCKER_CERT_PATH || configDir;
  const from = env.DOCKER_CERT_PATH ? `DOCKER_CERT_PATH=${dir}` : `${dir} (DOCKER_CERT_PATH unset)`;
  const why = verify ? 'DOCKER_TLS_VERIFY is set' : 'DOCKER_TLS is set';
  const hint =
    'point DOCKER_CERT_PATH at the directory holding ca.pem, cert.pem and key.pem (the files `docker --tlsverify` reads)' +
    (verify ? ', or unset DOCKER_TLS_VERIFY for an engine without TLS' : '');
  if (!isDir(dir)) {
    throw new TslimError('USAGE', `${why} but ${from} is not a directory`, { hint });
  }
  const file = (f: string): string | undefined => (existsSync(join(dir, f)) ? join(dir, f) : undefined);
  const [ca, cert, key] = [file('ca.pem'), file('cert.pem'), file('key.pem')];
  if (verify && !ca) {
    throw new TslimError('USAGE', `${why} but ${from} has no ca.pem (${join(dir, 'ca.pem')})`, { hint });
  }
  if (Boolean(cert) !== Boolean(key)) {
    const [has, lacks] = cert ? ['cert.pem', 'key.pem'] : ['key.pem', 'cert.pem'];
    throw new TslimError('USAGE', `${from} has ${has} but no ${lacks}: a client certificate needs both`, { hint });
  }
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), skipVerify: !verify, from };
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
