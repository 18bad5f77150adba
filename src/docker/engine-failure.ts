import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { TslimError } from '../core/errors.js';
import type { EngineEndpoint } from './endpoint.js';

// node's codes for a server certificate it could not verify (OpenSSL's X509_V_ERR_* names)
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A clearer ENGINE_UNREACHABLE for the failures of remote engines: a server certificate the CA does
 * not verify, a client certificate the engine refuses, TLS against a plain-HTTP port (or the
 * reverse), an ssh login refused, a local socket this user may not open. Names the variable and the file, never their contents.
 * undefined when the cause is none of these (the caller's generic message applies).
 */
export function engineFailure(endpoint: EngineEndpoint, where: string, cause: unknown): TslimError | undefined {
  const error = cause as { code?: unknown; level?: unknown; message?: unknown; statusCode?: unknown } | undefined;
  const code = typeof error?.code === 'string' ? error.code : '';
  const message = typeof error?.message === 'string' ? error.message : '';
  const tls = endpoint.tls;
  const fail = (text: string, hint: string): TslimError =>
    new TslimError('ENGINE_UNREACHABLE', `${text} (${where})`, { cause, hint });

  if (tls && UNTRUSTED.has(code)) {
    const ca = tls.ca ?? 'the system CAs (no ca.pem)';
    return fail(
      `the engine's TLS certificate was not accepted: ${message || code}; checked against ${ca} from ${tls.from}`,
      `ca.pem must be the CA that signed the engine's certificate (dockerd --tlscacert), and the certificate must name the host in ${endpoint.host}`,
    );
  }
  if (
    tls &&
    /alert (bad certificate|certificate required|unknown ca)|CERTIFICATE_REQUIRED|BAD_CERTIFICATE/i.test(
      `${code} ${message}`,
    )
  ) {
    return fail(
      `the engine refused tslim's client certificate: ${message || code}; sent ${tls.cert ?? 'none (no cert.pem)'} from ${tls.from}`,
      'cert.pem/key.pem must be signed by the CA the engine trusts (dockerd --tlscacert)',
    );
  }
  if (tls && /WRONG_VERSION_NUMBER|packet length too long/i.test(`${code} ${message}`)) {
    return fail(
      `TLS to an engine that answers plain HTTP: ${message || code}`,
      'unset DOCKER_TLS_VERIFY/DOCKER_TLS for this engine, or use its TLS port (2376 by convention)',
    );
  }
  if (!tls && endpoint.host.startsWith('tcp://') && error?.statusCode === 400 && /HTTPS server/i.test(message)) {
    return fail(
      'plain HTTP to an engine that requires TLS',
      'set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem',
    );
  }
  if (endpoint.host.startsWith('ssh://') && /Host denied|no matching host key/i.test(message)) {
    return fail(
      `the ssh host key is not one ~/.ssh/known_hosts lists for this host: ${message}`,
      'if the host was reinstalled, drop its old entry (`ssh-keygen -R "[host]:port"`) and connect once with ssh; otherwise someone may be in between',
    );
  }
  if (endpoint.host.startsWith('ssh://') && error?.level === 'client-authentication') {
    return fail(
      `the ssh login was refused: ${message}`,
      'tslim offers the keys of ssh-agent (SSH_AUTH_SOCK) and the key file TSLIM_SSH_KEY (else ~/.ssh/id_ed25519, id_ecdsa, id_rsa); the remote user must accept one of them',
    );
  }
  if (code === 'EACCES' && endpoint.host.startsWith('unix://')) {
    const socket = endpoint.host.slice('unix://'.length);
    const group = socketGroup(socket);
    return fail(
      `permission denied on the engine's socket ${socket}: ${whoAmI()} may not use it${group ? ` (it belongs to group '${group}')` : ''}`,
      `add the user to that group (sudo usermod -aG ${group ?? 'docker'} "$USER", then log in again or run newgrp ${group ?? 'docker'}), run tslim as root, or point DOCKER_HOST at an engine this user owns (rootless: unix://$XDG_RUNTIME_DIR/docker.sock)`,
    );
  }
  return undefined;
}

/** "user alice (uid 1000)", or the uid alone where the passwd database has no entry. */
function whoAmI(): string {
  const uid = process.getuid?.() ?? -1;
  try {
    return `user ${userInfo().username} (uid ${uid})`;
  } catch {
    return `uid ${uid}`;
  }
}

/** The name of the group that owns the socket (the one to join), from /etc/group; undefined if unknown. */
function socketGroup(socket: string): string | undefined {
  try {
    const gid = statSync(socket).gid;
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(gid));
    return line?.split(':')[0] ?? String(gid);
  } catch {
    return undefined;
  }
}
