import { formatBytes } from '../core/sizes.js';
import type { StreamEvent } from '../docker/json-stream.js';

interface Layer {
  current: number;
  total: number;
  status: string;
}

const DONE = new Set(['Pull complete', 'Already exists', 'Download complete']);
const SHOWN_LAYERS = 4;

/** Per-layer bytes/total of a pull stream (`Downloading` events carry progressDetail per layer id). */
export class PullProgress {
  readonly #layers = new Map<string, Layer>();

  /** True when the event was about a layer (worth redrawing). */
  update(event: StreamEvent): boolean {
    if (!event.id || !/^[a-f0-9]{12,}$/.test(event.id) || !event.status) return false;
    const layer = this.#layers.get(event.id) ?? { current: 0, total: 0, status: '' };
    this.#layers.set(event.id, layer);
    layer.status = event.status;
    if (event.status === 'Downloading' && event.progressDetail) {
      layer.current = event.progressDetail.current ?? layer.current;
      layer.total = event.progressDetail.total ?? layer.total;
    } else if (DONE.has(event.status) || event.status === 'Verifying Checksum') {
      layer.current = layer.total;
    }
    return true;
  }

  get layers(): number {
    return this.#layers.size;
  }

  /** Bytes downloaded of the bytes announced, summed over layers. */
  totals(): { done: number; current: number; total: number } {
    let done = 0;
    let current = 0;
    let total = 0;
    for (const layer of this.#layers.values()) {
      if (DONE.has(layer.status)) done += 1;
      current += layer.current;
      total += layer.total;
    }
    return { done, current, total };
  }

  summary(): string {
    const { done, current, total } = this.totals();
    return `${done}/${this.#layers.size} layers${total > 0 ? `, ${formatBytes(current)} / ${formatBytes(total)}` : ''}`;
  }

  /** The summary and one line per layer still downloading (bytes/total), for a spinner on a TTY. */
  render(): string {
    const active = [...this.#layers.entries()].filter(([, l]) => l.status === 'Downloading' && l.total > 0);
    const lines = active
      .slice(0, SHOWN_LAYERS)
      .map(([id, l]) => `  ${id.slice(0, 12)}: ${formatBytes(l.current)} / ${formatBytes(l.total)}`);
    if (active.length > SHOWN_LAYERS) lines.push(`  … ${active.length - SHOWN_LAYERS} more downloading`);
    return [this.summary(), ...lines].join('\n');
  }
}
