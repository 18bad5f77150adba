import type Docker from 'dockerode';
import { existsSync, readFileSync } from 'node:fs';
import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import type { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TslimError } from '../core/errors.js';
import type { EngineEndpoint } from './endpoint.js';
import { hostKeyCheck, knownHostKeys } from './known-hosts.js';

/** docker-modem also takes an http(s) Agent (lib/modem.js `opts.agent`); @types/dockerode omits it. */
type ConnectConfig = NonNullable<Docker.DockerOptions['sshOptions']>;

export type ModemOptions = Docker.DockerOptions & { agent?: Agent | HttpAgent };

/**
 * dockerode (docker-modem) options for a resolved endpoint: unix socket, tcp:// (plain, or TLS with
 * the endpoint's files), ssh:// (docker-modem runs `docker system dial-stdio` on the remote host
 * through ssh2). Every TLS key is set, undefined when absent, so docker-modem's own reading of the
 * environment adds nothing (see connectEngine).
 */
export function modemOptions(endpoint: EngineEndpoint, env: NodeJS.ProcessEnv): ModemOptions {
  const host = endpoint.host;
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length), agent: socketAgent() };
  const url = new URL(host);
  if (url.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: Number(url.port || 22),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      sshOptions: { ...sshIdentity(env), ...sshHostKey(env, url.hostname, Number(url.port || 22)) },
    };
  }
  if (url.protocol !== 'tcp:') {
    throw new TslimError('USAGE', `unsupported engine address ${host}`, {
      hint: 'use unix:///path, tcp://host:port or ssh://user@host[:port], as DOCKER_HOST takes them',
    });
  }
  const tls = endpoint.tls;
  // the docker CLI's defaults (opts.ParseHost): 2376 with TLS, 2375 without
  const port = Number(url.port || (tls ? 2376 : 2375));
  const none = { ca: undefined, cert: undefined, key: undefined };
  if (!tls) return { host: url.hostname, port, protocol: 'http', ...none };
  const read = (path: string | undefined): Buffer | undefined => (path ? readTlsFile(path, tls.from) : undefined);
  const files = { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key) };
  return {
    host: url.hostname,
    port,
    protocol: 'https',
    ...files,
    // skipVerify (a context's SkipTLSVerify, DOCKER_TLS without _VERIFY) is the CLI's InsecureSkipVerify:
    // no chain and no name check. docker-modem has no option for it; an agent's options win over the
    // request's (node's Agent.addRequest), so rejectUnauthorized goes there.
    ...(tls.skipVerify ? { agent: insecureAgent() } : {}),
  };
}

const SOCKET_AGENT: AgentOptions & { servername: string } = {
  keepAlive: true,
  scheduling: 'lifo',
  timeout: 5000,
  servername: '',
};
let localAgent: HttpAgent | undefined;

/**
 * The agent of unix-socket engines: node's global agent's settings (keep-alive, lifo, 5 s idle),
 * plus an empty TLS server name. Without one, node derives it from the Host header for every
 * request and tests it for an IP address (net.isIP), whose IPv6 pattern V8 compiles on first use
 * (about 4 ms of a dry run); a socket has no TLS, and an agent's options win over the request's.
 */
function socketAgent(): HttpAgent {
  localAgent ??= new HttpAgent(SOCKET_AGENT);
  return localAgent;
}

/** node:https (with tls and crypto, ~3 ms) is required here: runs on a local socket never load it. */
function insecureAgent(): Agent {
  const https = createRequire(import.meta.url)('node:https') as { Agent: typeof Agent };
  return new https.Agent({ rejectUnauthorized: false });
}

function readTlsFile(path: string, from: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new TslimError('USAGE', `could not read ${path} (TLS files from ${from}): ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** A host listed in ~/.ssh/known_hosts must show one of the keys listed there (else ssh2 accepts any). */
function sshHostKey(env: NodeJS.ProcessEnv, host: string, port: number): Partial<ConnectConfig> {
  const known = knownHostKeys(join(env.HOME || homedir(), '.ssh', 'known_hosts'), host, port);
  return known ? (hostKeyCheck(known) as Partial<ConnectConfig>) : {};
}

/**
 * The ssh identity, as far as ssh2 can follow the ssh client: the agent at SSH_AUTH_SOCK, the key file
 * TSLIM_SSH_KEY (ssh2 does not read ~/.ssh/config), else the first of ~/.ssh/id_ed25519, id_ecdsa,
 * id_rsa that exists when there is no agent.
 */
function sshIdentity(env: NodeJS.ProcessEnv): NonNullable<Docker.DockerOptions['sshOptions']> {
  const agent = env.SSH_AUTH_SOCK;
  let keyPath = env.TSLIM_SSH_KEY;
  if (!keyPath && !agent) {
    const ssh = join(env.HOME || homedir(), '.ssh');
    keyPath = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(ssh, f)).find((p) => existsSync(p));
  }
  let privateKey: Buffer | undefined;
  if (keyPath) {
    try {
      privateKey = readFileSync(keyPath);
    } catch (cause) {
      const what = env.TSLIM_SSH_KEY ? `TSLIM_SSH_KEY (${keyPath})` : keyPath;
      throw new TslimError('USAGE', `could not read the ssh key ${what}: ${(cause as Error).message}`, {
        cause,
        hint: 'set TSLIM_SSH_KEY to a private key file the remote user accepts, or start ssh-agent (SSH_AUTH_SOCK)',
      });
    }
  }
  return { ...(agent ? { agent } : {}), ...(privateKey ? { privateKey } : {}) };
}
