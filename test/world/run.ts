import { spawn } from 'node:child_process';

/** Runs a host tool with its output on our stderr (stdout is the world's JSON line); rejects on failure. */
export function run(command: string, args: string[], options: { cwd?: string; quiet?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', options.quiet ? 'ignore' : 2, 2] });
    child.on('error', (cause) =>
      reject(new Error(`${command} could not start (\`npm run engine\` installs the world's host tools)`, { cause })),
    );
    child.on('exit', (code, sig) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ').slice(0, 200)} exited ${code ?? sig}`)),
    );
  });
}
