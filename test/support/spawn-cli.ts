import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CliRun } from './run-cli.js';

const BIN = fileURLToPath(new URL('../../bin/tslim.js', import.meta.url));

/** The built CLI as a running process: wait for a line on stderr, signal it, await its end. */
export interface LiveCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr matches (rejects when the process ends first or after timeoutMs). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The exit code (130 when a signal ended it) and the output. */
  done: Promise<CliRun>;
}

export function spawnCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): LiveCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd ?? process.cwd(),
  });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of [...waiters]) w();
  });
  child.stdin.end(options.input ?? '');
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const w of [...waiters]) w();
      resolve({ code: code ?? (signal === 'SIGINT' ? 130 : -1), stdout: out, stderr: err });
    });
  });
  const waitFor = (pattern: RegExp, timeoutMs = 300_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`timed out waiting for ${pattern} on stderr:\n${err.slice(-2000)}`)),
        timeoutMs,
      );
      const check = (): void => {
        if (pattern.test(err)) finish();
        else if (child.exitCode !== null || child.signalCode !== null)
          finish(
            new Error(`the CLI ended (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${err.slice(-2000)}`),
          );
      };
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        const i = waiters.indexOf(check);
        if (i >= 0) waiters.splice(i, 1);
        if (error) reject(error);
        else resolve();
      };
      waiters.push(check);
      check();
    });
  return { child, stdout: () => out, stderr: () => err, waitFor, done };
}
