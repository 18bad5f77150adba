import { Agent } from 'node:http';

/**
 * docker-modem's ssh transport (lib/ssh.js) opens one ssh connection per Engine API request, and
 * tslim runs independent requests together (a dry run stats ~20 paths at once). sshd drops
 * unauthenticated connections beyond MaxStartups (default 10:30:100: random drops from 10 on), seen
 * as "Connection lost before handshake". This wraps the transport so that at most HANDSHAKES
 * connections are being set up at a time; each slot frees once its connection is ready (or failed),
 * so long-lived streams (a build, a log follow) never hold one.
 */
const HANDSHAKES = 4;
let active = 0;
const waiting: (() => void)[] = [];

function acquire(): Promise<void> {
  if (active < HANDSHAKES) {
    active += 1;
    return Promise.resolve();
  }
  return new Promise((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else active -= 1;
}

type Oncreate = (error: Error | null, socket?: unknown) => void;
type CreateConnection = (options: unknown, oncreate: Oncreate) => unknown;
/** docker-modem's ssh agent: an http.Agent whose createConnection answers through the callback. */
interface SshAgent {
  createConnection: CreateConnection;
}
type SshAgentFactory = (options: unknown) => unknown;

function isSshAgent(value: unknown): value is SshAgent {
  return value instanceof Agent && typeof (value as { createConnection?: unknown }).createConnection === 'function';
}

/** docker-modem's ssh agent factory, with its connection set-up limited as above. */
export function limitHandshakes(factory: SshAgentFactory): SshAgentFactory {
  return (options) => {
    const agent = factory(options);
    if (!isSshAgent(agent)) return agent; // another docker-modem: left as it is
    const create = agent.createConnection.bind(agent);
    agent.createConnection = (connectOptions, oncreate) => {
      void acquire().then(() => {
        let held = true;
        create(connectOptions, (error, socket) => {
          if (held) {
            held = false;
            release();
          }
          oncreate(error, socket);
        });
      });
    };
    return agent;
  };
}
