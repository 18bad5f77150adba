import { readFile } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';

/**
 * A TLS front for the world's engine socket: a TLS server on 127.0.0.1 that requires a client
 * certificate from `ca` (as `dockerd --tlsverify` does) and pipes each connection's bytes to the unix
 * socket. The client side of tcp:// + TLS is then exercised against the engine that holds the world's
 * images. `connections` counts the TLS connections it accepted (client certificate verified).
 */
export interface TlsFront {
  host: string;
  connections: () => number;
  close: () => Promise<void>;
}

export async function startTlsFront(
  files: { ca: string; cert: string; key: string },
  socketPath = '/var/run/docker.sock',
): Promise<TlsFront> {
  let accepted = 0;
  const open = new Set<TLSSocket>();
  const server = createServer(
    {
      ca: await readFile(files.ca),
      cert: await readFile(files.cert),
      key: await readFile(files.key),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      accepted += 1;
      open.add(socket);
      const upstream = connect(socketPath);
      socket.pipe(upstream).pipe(socket);
      const end = (): void => {
        socket.destroy();
        upstream.destroy();
        open.delete(socket);
      };
      socket.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `tcp://127.0.0.1:${port}`,
    connections: () => accepted,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
