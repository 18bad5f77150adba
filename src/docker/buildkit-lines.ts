import type { BuildKitStatus, BuildKitVertex } from './buildkit-status.js';
import type { StreamEvent } from './json-stream.js';

/** `[stage-1  3/19] RUN ...`, `[2/2] RUN ...`: a Dockerfile instruction of a stage. */
const STEP = /^\[(?:[^\]]*?\s)?\s*(\d+)\/(\d+)\]\s+([\s\S]*)$/;

interface VertexState {
  name: string;
  headed: boolean;
  done: boolean;
  started: number | undefined;
  /** Output after the last newline, held until the line ends or the vertex completes. */
  partial: string;
}

/**
 * Turns BuildKit's progress (vertexes, statuses, logs) into the lines the classic builder prints,
 * so the spinner, `-v` and the failed-build log read the same with either builder:
 * `Step N/M : INSTRUCTION` when an instruction starts (N/M counted per stage, as BuildKit does),
 * ` ---> Using cache` for a cached one, its output line by line, then ` ---> ERROR: ...` or a
 * timing. Other vertexes ([internal] loads, exporting to image) show their name.
 */
export class BuildKitLines {
  private readonly vertexes = new Map<string, VertexState>();
  /** The vertex whose lines were printed last: stages run in parallel and their lines interleave. */
  private current = '';

  /** The stream events (`{ stream }`) one decoded StatusResponse adds. */
  feed(status: BuildKitStatus): StreamEvent[] {
    const out: string[] = [];
    for (const v of status.vertexes) this.vertex(v, out);
    for (const log of status.logs) {
      const state = this.state(log.vertex);
      this.switchTo(log.vertex, state, out);
      const text = state.partial + log.msg.toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end >= 0) out.push(text.slice(0, end + 1));
      state.partial = text.slice(end + 1);
    }
    for (const s of status.statuses) {
      if (s.completed === undefined) continue;
      const size = s.total > 0 ? ` ${s.current}/${s.total}` : '';
      out.push(` ---> ${s.name}${size} done\n`);
    }
    return out.map((stream) => ({ stream }));
  }

  /** Output still held (a last line without a newline), e.g. when the stream ends with an error. */
  flush(): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const state of this.vertexes.values()) {
      if (state.partial !== '') out.push({ stream: `${state.partial}\n` });
      state.partial = '';
    }
    return out;
  }

  private state(digest: string): VertexState {
    let state = this.vertexes.get(digest);
    if (!state) {
      state = { name: digest, headed: false, done: false, started: undefined, partial: '' };
      this.vertexes.set(digest, state);
    }
    return state;
  }

  /** The vertex's header the first time; a short reminder when another vertex printed in between. */
  private switchTo(digest: string, state: VertexState, out: string[]): void {
    if (this.current === digest && state.headed) return;
    this.current = digest;
    const step = STEP.exec(state.name);
    const label = step ? `Step ${step[1]}/${step[2]} : ${step[3]}` : state.name;
    if (!state.headed) out.push(`${label}\n`);
    else out.push(`(${label.length > 80 ? `${label.slice(0, 79)}…` : label})\n`);
    state.headed = true;
  }

  private vertex(v: BuildKitVertex, out: string[]): void {
    const state = this.state(v.digest);
    if (v.name) state.name = v.name;
    if (v.started === undefined && !v.cached && v.error === '') return; // listed, not started yet
    if (!state.headed) this.switchTo(v.digest, state, out);
    state.started ??= v.started;
    if (state.done || (v.completed === undefined && v.error === '')) return;
    state.done = true;
    this.switchTo(v.digest, state, out);
    if (state.partial !== '') out.push(`${state.partial}\n`);
    state.partial = '';
    if (v.error !== '') out.push(` ---> ERROR: ${v.error}\n`);
    else if (v.cached) out.push(' ---> Using cache\n');
    else if (STEP.test(state.name) && v.completed !== undefined && state.started !== undefined)
      out.push(` ---> done in ${((v.completed - state.started) / 1000).toFixed(1)}s\n`);
  }
}
