import { Agent, type ClientRequestArgs } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';

/**
 * The transport for ssh:// engines: one ssh connection per host and process, Engine API requests
 * on channels of it running `docker system dial-stdio` (what the docker CLI runs), each channel
 * kept open for the next request (HTTP keep-alive). docker-modem's own transport (lib/ssh.js) opens
 * a new ssh connection per request: a handshake and a remote `docker` process each (about 0.1 s
 * here; and sshd drops set-ups beyond MaxStartups when tslim runs requests together).
 * sshd allows MaxSessions channels per connection (default 10): the agent keeps at most
 * AGENT_CHANNELS, which leaves room for hijacked streams (attach), which leave the agent's count.
 * An idle connection does not keep the process alive; one that closes is opened again on use.
 */
const AGENT_CHANNELS = 6;
const DIAL = 'docker system dial-stdio';

interface Host {
  client: Client;
  ready: Promise<Client>;
  /** Channels serving a request now (the others wait in the agent's free list). */
  busy: number;
}

export type ClientClass = new () => Client;
type Oncreate = (error: Error | null, socket?: Duplex) => void;

const hosts = new Map<string, Host>();
const agents = new Map<string, ChannelAgent>();

const keyOf = (options: ConnectConfig): string => JSON.stringify([options.host, options.port ?? 22, options.username]);

/**
 * A factory with docker-modem's ssh agent signature (options → http.Agent), called per request:
 * it answers the host's one agent, so that requests reuse its channels.
 */
export function pooledSshAgent(loadClient: () => ClientClass): (options: ConnectConfig) => Agent {
  return (options) => {
    const key = keyOf(options);
    let agent = agents.get(key);
    if (!agent) {
      agent = new ChannelAgent(loadClient, options);
      agents.set(key, agent);
    }
    return agent;
  };
}

/** An http.Agent whose connections are channels of the host's pooled ssh connection. */
class ChannelAgent extends Agent {
  constructor(
    readonly loadClient: () => ClientClass,
    readonly ssh: ConnectConfig,
  ) {
    super({ keepAlive: true, maxSockets: AGENT_CHANNELS });
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
  const key = keyOf(options);
  let host = hosts.get(key);
  if (!host) {
    host = connect(loadClient(), options, key);
    hosts.set(key, host);
  }
  const client = await host.ready;
  const opened = host;
  // busy from the channel request on: an unref'd connection would let the process exit meanwhile
  hold(opened, 1);
  return new Promise<ClientChannel>((resolve, reject) => {
    client.exec(DIAL, (error, stream) => {
      if (error) {
        hold(opened, -1);
        // the connection went away while idle (sshd's ClientAlive, a restart): once more, anew
        if (!retried && hosts.get(key) !== opened) resolve(channel(loadClient, options, true));
        else reject(error);
        return;
      }
      resolve(asSocket(stream, opened));
    });
  });
}

/**
 * Gives the channel what node's keep-alive agent calls on a socket: unref when it goes to the free
 * list, ref when it is reused (here: the ssh connection's socket, held while any channel is busy),
 * setKeepAlive and setTimeout (nothing to do on a channel).
 */
function asSocket(stream: ClientChannel, host: Host): ClientChannel {
  let busy = true; // counted by channel()
  const mark = (now: boolean): void => {
    if (now === busy) return;
    busy = now;
    hold(host, now ? 1 : -1);
  };
  Object.assign(stream, {
    ref: () => mark(true),
    unref: () => mark(false),
    setKeepAlive: () => stream,
    setTimeout: () => stream,
  });
  stream.once('close', () => mark(false));
  return stream;
}

function connect(ClientCtor: ClientClass, options: ConnectConfig, key: string): Host {
  const client = new ClientCtor();
  const forget = (): void => {
    if (hosts.get(key) === host) hosts.delete(key);
  };
  const host: Host = {
    client,
    busy: 0,
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

function hold(host: Host, change: number): void {
  host.busy += change;
  refSocket(host, host.busy > 0);
}

/** An idle connection must not hold the process open (ssh2 has no unref of its own). */
function refSocket(host: Host, ref: boolean): void {
  const socket: unknown = Reflect.get(host.client, '_sock');
  if (!(socket instanceof Socket)) return;
  if (ref) socket.ref();
  else socket.unref();
}
