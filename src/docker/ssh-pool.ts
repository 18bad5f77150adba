import { Agent, type ClientRequestArgs } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';

/**
 * The transport for ssh:// engines: one ssh connection per host and process, each Engine API
 * request on a channel of its own running `docker system dial-stdio` (what the docker CLI runs).
 * docker-modem's own transport (lib/ssh.js) opens a new ssh connection per request, a handshake
 * each (about 0.1 s here, and sshd drops set-ups beyond MaxStartups when tslim runs requests
 * together). sshd allows MaxSessions channels per connection (default 10): at most CHANNELS are
 * open at a time, the rest wait. While no channel is open the connection does not keep the process
 * alive; a connection that closes is opened again by the next request.
 */
const CHANNELS = 8;
const DIAL = 'docker system dial-stdio';

interface Host {
  client: Client;
  ready: Promise<Client>;
  open: number;
  waiting: (() => void)[];
}

export type ClientClass = new () => Client;
type Oncreate = (error: Error | null, socket?: Duplex) => void;

const hosts = new Map<string, Host>();

/** A factory with docker-modem's ssh agent signature (options → http.Agent) over the pool. */
export function pooledSshAgent(loadClient: () => ClientClass): (options: ConnectConfig) => Agent {
  return (options) => new ChannelAgent(loadClient, options);
}

/** An http.Agent whose connections are channels of the host's pooled ssh connection. */
class ChannelAgent extends Agent {
  constructor(
    readonly loadClient: () => ClientClass,
    readonly ssh: ConnectConfig,
  ) {
    super();
  }

  override createConnection(
    _request: ClientRequestArgs,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): undefined {
    // node's http takes a failure through the same callback, with no stream
    const oncreate = callback as Oncreate | undefined;
    channel(this.loadClient, this.ssh).then(
      (stream) => oncreate?.(null, stream),
      (error: unknown) => oncreate?.(error instanceof Error ? error : new Error(String(error))),
    );
    return undefined;
  }
}

async function channel(loadClient: () => ClientClass, options: ConnectConfig, retried = false): Promise<ClientChannel> {
  const key = JSON.stringify([options.host, options.port ?? 22, options.username]);
  let host = hosts.get(key);
  if (!host) {
    host = connect(loadClient(), options, key);
    hosts.set(key, host);
  }
  await acquire(host);
  let client: Client;
  try {
    client = await host.ready;
  } catch (cause) {
    release(host);
    throw cause;
  }
  const opened = host;
  return new Promise<ClientChannel>((resolve, reject) => {
    client.exec(DIAL, (error, stream) => {
      if (error) {
        release(opened);
        // the connection went away while idle (sshd's ClientAlive, a restart): once more, anew
        if (!retried && hosts.get(key) !== opened) resolve(channel(loadClient, options, true));
        else reject(error);
        return;
      }
      stream.once('close', () => release(opened));
      resolve(stream);
    });
  });
}

function connect(ClientCtor: ClientClass, options: ConnectConfig, key: string): Host {
  const client = new ClientCtor();
  const forget = (): void => {
    if (hosts.get(key) === host) hosts.delete(key);
  };
  const host: Host = {
    client,
    open: 0,
    waiting: [],
    ready: new Promise<Client>((resolve, reject) => {
      client.once('ready', () => resolve(client));
      client.once('error', reject);
    }),
  };
  host.ready.catch(forget);
  // after the handshake: a failure ends this connection, the next request opens another
  client.on('error', forget);
  client.on('close', forget);
  client.connect(options);
  return host;
}

function acquire(host: Host): Promise<void> {
  if (host.open < CHANNELS) {
    host.open += 1;
    refSocket(host, true);
    return Promise.resolve();
  }
  return new Promise((resolve) => host.waiting.push(resolve));
}

function release(host: Host): void {
  const next = host.waiting.shift();
  if (next) next();
  else host.open -= 1;
  if (host.open === 0) refSocket(host, false);
}

/** An idle connection must not hold the process open (ssh2 has no unref of its own). */
function refSocket(host: Host, ref: boolean): void {
  const socket: unknown = Reflect.get(host.client, '_sock');
  if (!(socket instanceof Socket)) return;
  if (ref) socket.ref();
  else socket.unref();
}
