import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Measured {
  /** Wall time in seconds, measured here around the child process. */
  wallS: number;
  /** Peak RSS of the child in KiB (kernel rusage ru_maxrss via GNU time), when asked for. */
  maxRssKiB?: number;
  stdout: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Wrap in /usr/bin/time to read the child's peak RSS (exact: the kernel's ru_maxrss). */
  rss?: boolean;
  stdin?: string;
  /** Keep stdout (default true); large outputs can be dropped. */
  keepStdout?: boolean;
}

/** Runs a command to completion; rejects with its stderr tail on a non-zero exit. */
export async function run(cmd: string, args: string[], options: RunOptions = {}): Promise<Measured> {
  const dir = options.rss ? await mkdtemp(path.join(tmpdir(), 'tslim-bench-time-')) : undefined;
  const timeFile = dir ? path.join(dir, 'time') : undefined;
  const [file, argv] = timeFile ? ['/usr/bin/time', ['-f', '%M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const started = process.hrtime.bigint();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(file, argv, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        if (options.keepStdout !== false) out.push(d);
      });
      child.stderr.on('data', (d: Buffer) => {
        err = (err + d.toString()).slice(-4000);
      });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: Buffer.concat(out).toString(), stderr: err }));
      child.stdin.end(options.stdin ?? '');
    },
  );
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  let maxRssKiB: number | undefined;
  if (timeFile && dir) {
    const text = await readFile(timeFile, 'utf8').catch(() => '');
    const last = text.trim().split('\n').pop();
    maxRssKiB = last && /^\d+$/.test(last) ? Number(last) : undefined;
    await rm(dir, { recursive: true, force: true });
  }
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${stderr}`);
  return { wallS, ...(maxRssKiB === undefined ? {} : { maxRssKiB }), stdout };
}

/** Wall time of an async function, seconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ wallS: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { wallS: Number(process.hrtime.bigint() - started) / 1e9, value };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);
