import { TslimError } from './errors.js';

/** Throws the ABORTED error when the run's signal has fired; call between engine steps. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TslimError('ABORTED', 'interrupted');
}

/** A stack of async cleanups run in reverse order, each one's failure kept from hiding the others. */
export class Cleanup implements AsyncDisposable {
  readonly #steps: (() => Promise<unknown>)[] = [];

  defer(step: () => Promise<unknown>): void {
    this.#steps.push(step);
  }

  async run(): Promise<void> {
    while (this.#steps.length > 0) {
      const step = this.#steps.pop();
      try {
        await step?.();
      } catch {
        // cleanup is best effort; the sweep by label catches what is left
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.run();
  }
}

/** Waits ms, or rejects with ABORTED as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TslimError('ABORTED', 'interrupted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new TslimError('ABORTED', 'interrupted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
