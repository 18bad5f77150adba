import type createOra from 'ora';
import type { Ora, Options as OraOptions } from 'ora';
import { redact } from './redact.js';
import { importModule } from './import-module.js';

/** A step reporter: an ora spinner on a TTY, plain lines otherwise, nothing with --json/-q. */
export interface Progress {
  start(text: string): void;
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
  /** True for a spinner redrawn in place (a TTY): worth fine-grained updates such as per-layer bytes. */
  readonly live: boolean;
}

export interface ProgressOptions {
  enabled: boolean;
  stream?: NodeJS.WriteStream;
  secrets?: readonly string[];
}

/** Async because ora (tens of ms to load) is imported only when a spinner will be shown. */
export async function createProgress(options: ProgressOptions): Promise<Progress> {
  const stream = options.stream ?? process.stderr;
  const clean = (t: string): string => redact(t, options.secrets ?? []);
  if (!options.enabled) return silentProgress;
  if (stream.isTTY && process.env.CI === undefined) {
    const { default: ora } = await importModule<{ default: typeof createOra }>('ora');
    return spinnerProgress(stream, clean, ora);
  }
  return lineProgress(stream, clean);
}

/** Reports nothing: what createProgress gives for --json and -q, and what tests pass. */
export const silentProgress: Progress = {
  start: () => undefined,
  update: () => undefined,
  succeed: () => undefined,
  fail: () => undefined,
  stop: () => undefined,
  live: false,
};

function spinnerProgress(
  stream: NodeJS.WriteStream,
  clean: (t: string) => string,
  ora: (options: OraOptions) => Ora,
): Progress {
  let spinner: Ora | undefined;
  return {
    // a TTY that reports no width (a bare pty) cannot have multi-line text redrawn in place:
    // ora's line count would be wrong there, so only its one status line is updated
    live: (stream.columns ?? 0) > 0,
    start: (text) => {
      spinner?.stop();
      spinner = ora({ text: clean(text), stream }).start();
    },
    update: (text) => {
      if (spinner) spinner.text = clean(text);
    },
    succeed: (text) => {
      spinner?.succeed(text === undefined ? undefined : clean(text));
      spinner = undefined;
    },
    fail: (text) => {
      spinner?.fail(text === undefined ? undefined : clean(text));
      spinner = undefined;
    },
    stop: () => {
      spinner?.stop();
      spinner = undefined;
    },
  };
}

/** Without a TTY, print each step once and throttle updates so CI logs stay readable. */
function lineProgress(stream: NodeJS.WritableStream, clean: (t: string) => string): Progress {
  let current = '';
  let lastUpdate = 0;
  return {
    live: false,
    start: (text) => {
      current = text;
      stream.write(`- ${clean(text)}\n`);
    },
    update: (text) => {
      const now = Date.now();
      if (now - lastUpdate < 2000) return;
      lastUpdate = now;
      stream.write(`  ${clean(text)}\n`);
    },
    succeed: (text) => {
      stream.write(`✔ ${clean(text ?? current)}\n`);
    },
    fail: (text) => {
      stream.write(`✖ ${clean(text ?? current)}\n`);
    },
    stop: () => undefined,
  };
}
