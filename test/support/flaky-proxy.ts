import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FlakyProxyOptions {
  /** host:port of the real registry (127.0.0.1 only). */
  target: string;
  /** Drop this many blob uploads (PATCH/PUT …/blobs/uploads/…) after `dropAfterBytes` of their body. */
  dropBlobUploads?: number;
  dropAfterBytes?: number;
  /** Answer this many manifest PUTs with 503 instead of forwarding them. */
  failManifestPuts?: number;
  /** Cut this many blob downloads (GET …/blobs/sha256:…) after `dropAfterBytes` of their response. */
  dropBlobDownloads?: number;
  /** Cut the connection of this many manifest GETs/HEADs before forwarding them (a pull's first step). */
  dropManifestGets?: number;
}

export interface FlakyProxy {
  address: string;
  stats: {
    blobDrops: number;
    manifest503: number;
    connections: number;
    downloadDrops: number;
    manifestGetDrops: number;
  };
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy in front of a registry that misbehaves on purpose: it cuts connections in
 * the middle of a blob upload and can answer manifest PUTs with 503. It looks at the first bytes of
 * each client write for a request line; the engine writes a request's headers in one go.
 */
export async function startFlakyProxy(options: FlakyProxyOptions): Promise<FlakyProxy> {
  const [host, port] = options.target.split(':');
  if (host !== '127.0.0.1') throw new Error('the flaky proxy only forwards to 127.0.0.1');
  const stats = { blobDrops: 0, manifest503: 0, connections: 0, downloadDrops: 0, manifestGetDrops: 0 };
  const sockets = new Set<Socket>();
  const dropAfter = options.dropAfterBytes ?? 256 * 1024;
  const server: Server = createServer((client) => {
    stats.connections += 1;
    const upstream = connect(Number(port), host);
    sockets.add(client).add(upstream);
    let counting = false;
    let seen = 0;
    let downloading = false;
    let received = 0;
    const kill = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      const head = chunk.subarray(0, 16).toString('latin1');
      const requestLine = /^(GET|HEAD|POST|PUT|PATCH|DELETE) \//.test(head)
        ? /^(\S+) (\S+)/.exec(chunk.subarray(0, 4096).toString('latin1'))
        : null;
      if (requestLine) {
        const [, method, path] = requestLine;
        counting =
          (method === 'PATCH' || method === 'PUT') &&
          (path ?? '').includes('/blobs/uploads/') &&
          stats.blobDrops < (options.dropBlobUploads ?? 0);
        seen = 0;
        downloading =
          method === 'GET' &&
          (path ?? '').includes('/blobs/sha256:') &&
          stats.downloadDrops < (options.dropBlobDownloads ?? 0);
        received = 0;
        if (
          (method === 'GET' || method === 'HEAD') &&
          (path ?? '').includes('/manifests/') &&
          stats.manifestGetDrops < (options.dropManifestGets ?? 0)
        ) {
          stats.manifestGetDrops += 1;
          kill();
          return;
        }
        if (
          method === 'PUT' &&
          (path ?? '').includes('/manifests/') &&
          stats.manifest503 < (options.failManifestPuts ?? 0)
        ) {
          stats.manifest503 += 1;
          client.end(
            'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
          );
          upstream.destroy();
          return;
        }
      }
      if (counting) {
        seen += chunk.length;
        if (seen > dropAfter) {
          stats.blobDrops += 1;
          counting = false;
          kill();
          return;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (downloading) {
        received += chunk.length;
        if (received > dropAfter) {
          stats.downloadDrops += 1;
          downloading = false;
          kill();
          return;
        }
      }
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', kill);
    upstream.on('error', kill);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
