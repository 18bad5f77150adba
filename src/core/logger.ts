import { redact } from './redact.js';

export type LogLevel = 'quiet' | 'normal' | 'verbose';

/** Everything human-facing goes to stderr; stdout is reserved for the command's result. */
export interface Logger {
  readonly level: LogLevel;
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** Writes raw text (build output); verbose only. */
  raw(text: string): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  stream?: NodeJS.WritableStream;
  /** Strings that must never be printed (passwords, proxy credentials). */
  secrets?: readonly string[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'normal';
  const stream = options.stream ?? process.stderr;
  const secrets = options.secrets ?? [];
  const write = (text: string): void => {
    stream.write(redact(text, secrets));
  };
  return {
    level,
    info: (m) => {
      if (level !== 'quiet') write(`${m}\n`);
    },
    warn: (m) => write(`warning: ${m}\n`),
    debug: (m) => {
      if (level === 'verbose') write(`${m}\n`);
    },
    raw: (t) => {
      if (level === 'verbose') write(t);
    },
  };
}

export const silentLogger: Logger = {
  level: 'quiet',
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  raw: () => undefined,
};
