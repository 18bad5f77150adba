import type { Command } from 'commander';
import { resolveAuth, type RegistryAuth } from '../registry/credentials.js';
import { usageError } from '../core/errors.js';
import type { CliContext } from './context.js';

export interface AuthOptions {
  username?: string;
  passwordStdin?: boolean;
}

export function addAuthOptions(cmd: Command): Command {
  return cmd
    .option('--username <user>', 'registry user (e.g. a Harbor robot account robot$project+name)')
    .option('--password-stdin', 'read the registry password from stdin');
}

/** Reads stdin to its end (the password), trimming one trailing newline. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw usageError('--password-stdin needs the password piped on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Credentials for a registry in docker's order; the password is registered as a secret. */
export async function loadAuth(
  registry: string,
  options: AuthOptions,
  ctx: CliContext,
): Promise<RegistryAuth | undefined> {
  const password = options.passwordStdin ? await readStdin() : undefined;
  const auth = await resolveAuth(registry, {
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(password !== undefined ? { password } : {}),
  });
  if (auth) ctx.addSecret(auth.password);
  return auth;
}
