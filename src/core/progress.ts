import ora, { type Ora } from 'ora';
import { redact } from './redact.js';

/** A step reporter: an ora spinner on a TTY, plain lines otherwise, nothing with --json/-q. */
export interface Progress {
  start(text: string): void;
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export interface ProgressOptions {
  enabled: boolean;
  stream?: NodeJS.WriteStream;
  secrets?: readonly string[];
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const clean = (t: string): string => redact(t, options.secrets ?? []);
  if (!options.enabled) return quietProgress;
  if (stream.isTTY && process.env.CI === undefined) return spinnerProgress(stream, clean);
  return lineProgress(stream, clean);
}

const quietProgress: Progress = {
  start: () => undefined,
  update: () => undefined,
  succeed: () => undefined,
  fail: () => undefined,
  stop: () => undefined,
};

function spinnerProgress(stream: NodeJS.WriteStream, clean: (t: string) => string): Progress {
  let spinner: Ora | undefined;
  return {
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
