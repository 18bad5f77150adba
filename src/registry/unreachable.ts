import { TslimError } from '../core/errors.js';

/**
 * A registry that cannot be reached, told from the words of whoever tried: the engine (Go's net/http
 * and crypto/x509 errors, in a pull's or push's error) or tslim's own registry client (node's error
 * codes). Not the engine's fault and not the credentials': the network between them and the registry.
 */
export type UnreachableKind = 'proxy' | 'tls' | 'plain-http' | 'dns' | 'refused' | 'network' | 'timeout';

export interface Unreachable {
  kind: UnreachableKind;
  /** What happened, in a few words, with the value (host, address). */
  summary: string;
  /** What to change so that the engine (or tslim) reaches it. */
  fix: string;
}

// node's codes for a certificate it could not verify (OpenSSL's X509_V_ERR_* names)
const NODE_TLS =
  /^(?:SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_SIGNATURE_FAILURE|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID)$/;

const CONNECT_REFUSED =
  /^(?:Get|Head|Post|Put|Patch) "[^"]+": (Forbidden|Proxy Authentication Required|Bad Gateway|Service Unavailable|Gateway Timeout|Method Not Allowed|Bad Request|Not Found)$/;

/** The registry host's TLS trust, as the engine (and tslim's own client) read it. */
function trustFix(host: string): string {
  return `give the engine the CA that signed ${host}'s certificate: /etc/docker/certs.d/${host}/ca.crt (Podman: /etc/containers/certs.d/${host}/ca.crt), and tslim's own registry requests NODE_EXTRA_CA_CERTS=/path/ca.pem`;
}

/**
 * undefined when the text is not about reaching the registry (a refusal, a missing tag, a broken
 * stream): those have their own errors. `host` is the registry's host[:port], for the fixes.
 */
export function registryUnreachable(
  text: string,
  host: string,
  nodeCode = '',
  by: 'engine' | 'tslim' = 'engine',
): Unreachable | undefined {
  const machine = by === 'engine' ? "the engine's host" : 'this host (tslim checks the registry itself)';
  // Go's net/http: a proxy that cannot be dialled is "proxyconnect tcp: ..."; one that answers the
  // CONNECT with another status leaves its status text alone after the URL (`Get "URL": Forbidden`)
  const proxy = /proxyconnect tcp: ([^"\n]*)/.exec(text)?.[1] ?? CONNECT_REFUSED.exec(text.trim())?.[1];
  if (proxy)
    return {
      kind: 'proxy',
      summary: `the engine's HTTP proxy did not let it through (${proxy})`,
      fix: `check the proxy dockerd uses (HTTPS_PROXY in its environment, e.g. a systemd drop-in for docker.service) or list ${host} in its NO_PROXY`,
    };
  if (/server gave HTTP response to HTTPS client|first record does not look like a TLS handshake/.test(text))
    return {
      kind: 'plain-http',
      summary: `${host} answers plain HTTP where TLS was expected`,
      fix: `use the registry's TLS address, or list ${host} in the engine's insecure-registries (/etc/docker/daemon.json)`,
    };
  const x509 = /(?:x509|tls): [^"\n]*/.exec(text)?.[0];
  if (x509 || NODE_TLS.test(nodeCode))
    return {
      kind: 'tls',
      summary: `${host}'s TLS certificate is not trusted (${x509 ?? nodeCode})`,
      fix: trustFix(host),
    };
  const lookup =
    /lookup ([^\s:]+)[^\n]*?: (?:no such host|server misbehaving|Temporary failure in name resolution|i\/o timeout)/.exec(
      text,
    );
  if (lookup || nodeCode === 'ENOTFOUND' || nodeCode === 'EAI_AGAIN')
    return {
      kind: 'dns',
      summary: `the name ${lookup?.[1] ?? host.replace(/:\d+$/, '')} does not resolve`,
      fix: `check the name in the reference, and the DNS (or /etc/hosts) of ${machine}`,
    };
  const refused = /dial tcp ([^\s:]+:\d+|\[[^\]]+\]:\d+): connect: connection refused/.exec(text);
  if (refused || nodeCode === 'ECONNREFUSED')
    return {
      kind: 'refused',
      summary: `nothing accepts connections at ${refused?.[1] ?? host}`,
      fix: `check the address and port of ${host}, and that the registry is running`,
    };
  if (/no route to host|network is unreachable/i.test(text) || /^E(?:HOST|NET)UNREACH$/.test(nodeCode))
    return {
      kind: 'network',
      summary: `there is no network route to ${host}`,
      fix: `check the network of ${machine}`,
    };
  if (
    /i\/o timeout|TLS handshake timeout|Client\.Timeout exceeded|context deadline exceeded/.test(text) ||
    /^(?:ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT)$/.test(nodeCode)
  )
    return {
      kind: 'timeout',
      summary: `${host} did not answer in time`,
      fix: `check that ${host} is reachable from ${machine} (firewall, proxy)`,
    };
  return undefined;
}

/** The host[:port] of a reference's registry (docker.io for a name without one). */
export function registryHost(ref: string): string {
  const first = ref.split('/')[0] ?? '';
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

/** How the air-gapped get their images, for the command that pulled. */
export type PullPurpose = 'compose' | 'inspect' | 'trt-builder';

function airGapped(purpose: PullPurpose, registry: string): string {
  const mirror = `--registry-mirror ${registry}=HOST/PATH (a registry you reach, e.g. a Harbor proxy-cache project)`;
  if (purpose === 'inspect')
    return `pull through a mirror, ${mirror}, or load the image (docker load -i FILE) and inspect it without --pull`;
  if (purpose === 'trt-builder')
    return `pull the TensorRT builder through a mirror, ${mirror}, or load it (docker load -i FILE) and pass --trt-builder REF`;
  return `pull through a mirror, ${mirror}, or load the images (docker load -i FILE) and pass --skip-pull --image full,REF --image min,REF`;
}

/** A pull that could not reach the registry: REGISTRY_FAILED, the engine's words kept, no credential blamed. */
export function unreachablePullError(
  found: Unreachable,
  request: { requested: string; used: string },
  engineText: string,
  purpose: PullPurpose,
  cause: unknown,
): TslimError {
  const registry = registryHost(request.used);
  const via = request.used === request.requested ? '' : ` (through ${request.used})`;
  return new TslimError(
    'REGISTRY_FAILED',
    `cannot reach registry ${registry} to pull ${request.requested}${via}: ${found.summary}; the engine said: ${engineText}`,
    {
      cause,
      hint: `${found.fix}. Without access to ${registryHost(request.requested)}: ${airGapped(purpose, registryHost(request.requested))}`,
      details: { registry, reason: found.kind, repository: request.requested, pulled: request.used },
    },
  );
}
