import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface KnownHostKeys {
  /** The known_hosts file the keys came from. */
  file: string;
  /** key type (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, …) -> base64 key blobs */
  keys: Map<string, Set<string>>;
}

/**
 * The keys known_hosts lists for host:port, as OpenSSH matches them (sshd(8) "SSH_KNOWN_HOSTS FILE
 * FORMAT"): the name is `host`, or `[host]:port` off port 22; plain comma-separated names and hashed
 * `|1|salt|hmac` entries. Wildcard patterns, negations and @cert-authority/@revoked lines are not
 * read. undefined when the file is missing or does not name the host (ssh2 then accepts its key,
 * as before: docs/engines.md).
 */
export function knownHostKeys(file: string, host: string, port: number): KnownHostKeys | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const name = port === 22 ? host : `[${host}]:${port}`;
  const keys = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const [names, type, blob] = line.trim().split(/\s+/);
    if (!names || !type || !blob || names.startsWith('#') || names.startsWith('@')) continue;
    if (!names.split(',').some((n) => matches(n, name))) continue;
    keys.set(type, (keys.get(type) ?? new Set()).add(blob));
  }
  return keys.size > 0 ? { file, keys } : undefined;
}

function matches(entry: string, name: string): boolean {
  if (!entry.startsWith('|1|')) return entry === name;
  const [, , salt, hash] = entry.split('|');
  if (!salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

// a known_hosts key type -> the host key algorithms that prove it (RFC 8332: an RSA key signs with sha2)
const ALGORITHMS: Record<string, string[]> = { 'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] };

/**
 * ssh2 options that accept only the listed keys, and ask the server for those key types only (as
 * OpenSSH orders its host key algorithms by what known_hosts has), so a host known by its RSA key is
 * not refused for offering ed25519 first.
 */
export function hostKeyCheck(known: KnownHostKeys): {
  hostVerifier: (key: Buffer) => boolean;
  algorithms: { serverHostKey: string[] };
} {
  const blobs = new Set([...known.keys.values()].flatMap((set) => [...set]));
  return {
    hostVerifier: (key) => blobs.has(key.toString('base64')),
    algorithms: { serverHostKey: [...known.keys.keys()].flatMap((type) => ALGORITHMS[type] ?? [type]) },
  };
}
