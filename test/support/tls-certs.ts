import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const openssl = (dir: string, args: string[]): Promise<unknown> => run('openssl', args, { cwd: dir });

async function key(dir: string, name: string): Promise<void> {
  await openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name]);
}

async function ca(dir: string, cn: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await key(dir, 'ca-key.pem');
  await openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    'ca-key.pem',
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    '-out',
    'ca.pem',
  ]);
}

async function signed(caDir: string, name: string, cn: string, ext: string): Promise<void> {
  await key(caDir, `${name}-key.pem`);
  await openssl(caDir, ['req', '-new', '-key', `${name}-key.pem`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
  await writeFile(join(caDir, `${name}.ext`), ext);
  await openssl(caDir, [
    ...['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial'],
    ...['-days', '2', '-extfile', `${name}.ext`, '-out', `${name}-cert.pem`],
  ]);
}

/**
 * Certificates as `dockerd --tlsverify` and `docker --tlsverify` use them (docs.docker.com "Protect
 * the Docker daemon socket"), made with openssl under `dir`: `ca/` (ca.pem, server-cert.pem with an
 * IP SAN for 127.0.0.1, server-key.pem, client-cert.pem, client-key.pem), `other-ca/` (an unrelated
 * CA). Returns the paths a test needs.
 */
export async function makeTlsCerts(dir: string): Promise<{
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCa: string;
}> {
  const caDir = join(dir, 'ca');
  await ca(caDir, 'tslim-test-ca');
  await signed(caDir, 'server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await signed(caDir, 'client', 'tslim-test-client', 'extendedKeyUsage=clientAuth\n');
  await ca(join(dir, 'other-ca'), 'tslim-unrelated-ca');
  return {
    ca: join(caDir, 'ca.pem'),
    serverCert: join(caDir, 'server-cert.pem'),
    serverKey: join(caDir, 'server-key.pem'),
    clientCert: join(caDir, 'client-cert.pem'),
    clientKey: join(caDir, 'client-key.pem'),
    otherCa: join(dir, 'other-ca', 'ca.pem'),
  };
}

/**
 * A server certificate for the DNS name `name`, signed by a CA of its own made under `dir` that no
 * one trusts: what a registry behind a private CA presents to an engine that was not given the CA.
 */
export async function makeUnknownCaCert(dir: string, name: string): Promise<{ cert: string; key: string }> {
  await ca(dir, 'tslim-unknown-ca');
  await signed(dir, 'server', name, `subjectAltName=DNS:${name}\nextendedKeyUsage=serverAuth\n`);
  return { cert: join(dir, 'server-cert.pem'), key: join(dir, 'server-key.pem') };
}
