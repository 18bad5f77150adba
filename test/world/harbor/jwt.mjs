// Registry tokens as distribution 2.8 verifies them (registry/auth/token/token.go, release/2.8):
// a compact JWS, RS256, header `kid` = the libtrust fingerprint of the signing key, which the
// registry finds among the certificates of its `rootcertbundle`. Claims: iss, sub, aud, exp, nbf,
// iat, jti and `access` (what the token grants). Only node:crypto.
import { createHash, createPublicKey, randomBytes, sign } from 'node:crypto';

/** distribution accepts a token until exp + 60 s (token.go `Leeway`); see `claims`. */
export const REGISTRY_LEEWAY_S = 60;

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes) {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * libtrust's key ID: SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits, base32 without
 * padding, in 12 groups of 4 joined by ':' (github.com/docker/libtrust util.go keyIDFromCryptoKey).
 */
export function libtrustKeyId(publicKey) {
  const der = createPublicKey(publicKey).export({ type: 'spki', format: 'der' });
  const b32 = base32(createHash('sha256').update(der).digest().subarray(0, 30));
  return b32.match(/.{4}/g).join(':');
}

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/**
 * The claims of one token. `lifetimeSeconds` is when the REGISTRY stops accepting it: exp is set
 * that much minus the registry's leeway, so a 3 s lifetime really dies after 3 s.
 */
export function claims({ issuer, subject, audience, access, lifetimeSeconds, now = Math.floor(Date.now() / 1000) }) {
  return {
    iss: issuer,
    sub: subject,
    aud: audience,
    exp: now + lifetimeSeconds - REGISTRY_LEEWAY_S,
    nbf: now,
    iat: now,
    jti: randomBytes(12).toString('hex'),
    access,
  };
}

export function signJwt(payload, { privateKey, kid }) {
  const head = `${b64url({ typ: 'JWT', alg: 'RS256', kid })}.${b64url(payload)}`;
  const signature = sign('sha256', Buffer.from(head), privateKey).toString('base64url');
  return `${head}.${signature}`;
}
