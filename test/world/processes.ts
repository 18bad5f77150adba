import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { worldDir } from './paths.js';

const pidDir = path.join(worldDir, 'pids');
const logDir = path.join(worldDir, 'logs');

export interface Recorded {
  pid: number;
  /** What the process was started with; a change means restart. */
  config: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function recorded(name: string): Promise<Recorded | undefined> {
  try {
    const rec = JSON.parse(await readFile(path.join(pidDir, `${name}.json`), 'utf8')) as Recorded;
    return isAlive(rec.pid) ? rec : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a long-running process in its own session, logs to .world/logs/<name>.log, records its pid. */
export async function startDetached(name: string, command: string, args: string[], config: string): Promise<Recorded> {
  await mkdir(pidDir, { recursive: true });
  await mkdir(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd] });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('error', (cause) => reject(new Error(`could not start ${command} for ${name}`, { cause })));
    child.once('spawn', () => resolve(child.pid!));
  });
  child.unref();
  const rec = { pid, config };
  await writeFile(path.join(pidDir, `${name}.json`), JSON.stringify(rec));
  return rec;
}

/** SIGTERM, wait up to 5 s, then SIGKILL; forgets the pid file. */
export async function stop(name: string): Promise<boolean> {
  const rec = await recorded(name);
  await rm(path.join(pidDir, `${name}.json`), { force: true });
  if (!rec) return false;
  process.kill(rec.pid, 'SIGTERM');
  for (let i = 0; i < 50 && isAlive(rec.pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(rec.pid)) process.kill(rec.pid, 'SIGKILL');
  return true;
}

export function logPath(name: string): string {
  return path.join(logDir, `${name}.log`);
}

export async function logTail(name: string, lines = 20): Promise<string> {
  const text = await readFile(logPath(name), 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Polls `probe` until it returns true or `ms` pass. */
export async function waitFor(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 150));
  }
  return false;
}
