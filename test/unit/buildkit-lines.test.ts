import { describe, expect, it } from 'vitest';
import { toInputs } from '../../src/cli/compose-options.js';
import { BuildKitLines } from '../../src/docker/buildkit-lines.js';
import { decodeBuildKitStatus, encodeBuildKitStatus } from '../../src/docker/buildkit-status.js';

const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const RUN = 'sha256:aaaa';
const FROM = 'sha256:bbbb';
const CTX = 'sha256:cccc';

/** What the engine sends as `aux`, decoded as buildkit-build.ts does. */
const trace = (message: Record<string, unknown>) => decodeBuildKitStatus(encodeBuildKitStatus(message));

function text(lines: BuildKitLines, ...messages: Record<string, unknown>[]): string {
  return messages
    .flatMap((m) => lines.feed(trace(m)))
    .map((e) => e.stream)
    .join('');
}

describe('BuildKit progress (moby.buildkit.trace) decoding', () => {
  it('decodes vertexes, statuses and logs with the control.proto field numbers', () => {
    const status = trace({
      vertexes: [{ digest: RUN, name: '[2/3] RUN make', cached: false, started: ts(1500), error: 'boom' }],
      statuses: [
        { ID: 'exporting layers', vertex: RUN, name: 'exporting layers', current: 7, total: 9, completed: ts(2000) },
      ],
      logs: [{ vertex: RUN, stream: 2, msg: Buffer.from('out\n') }],
    });
    expect(status).toEqual({
      vertexes: [
        { digest: RUN, name: '[2/3] RUN make', cached: false, started: 1500, completed: undefined, error: 'boom' },
      ],
      statuses: [
        { id: 'exporting layers', vertex: RUN, name: 'exporting layers', current: 7, total: 9, completed: 2000 },
      ],
      logs: [{ vertex: RUN, stream: 2, msg: Buffer.from('out\n') }],
    });
  });

  it('refuses bytes that are not a StatusResponse', () => {
    expect(() => decodeBuildKitStatus(Buffer.from([0x0a, 0xff, 0xff, 0xff]).toString('base64'))).toThrow(
      /StatusResponse/,
    );
  });

  it("prints the classic builder's lines: Step N/M headers, output by line, cache, errors", () => {
    const lines = new BuildKitLines();
    const out = text(
      lines,
      { vertexes: [{ digest: CTX, name: '[internal] load remote build context', started: ts(1), completed: ts(2) }] },
      {
        vertexes: [{ digest: FROM, name: '[stage-1  1/3] FROM base', cached: true, started: ts(3), completed: ts(3) }],
      },
      // listed before it starts: nothing yet
      { vertexes: [{ digest: RUN, name: '[stage-1  2/3] RUN make' }] },
      { vertexes: [{ digest: RUN, name: '[stage-1  2/3] RUN make', started: ts(1000) }] },
      // output split mid-line across messages
      { logs: [{ vertex: RUN, stream: 1, msg: Buffer.from('compiling a') }] },
      { logs: [{ vertex: RUN, stream: 1, msg: Buffer.from('.c\nlinking') }] },
      {
        vertexes: [
          {
            digest: RUN,
            name: '[stage-1  2/3] RUN make',
            started: ts(1000),
            completed: ts(3500),
            error: 'exit code: 2',
          },
        ],
      },
    );
    expect(out).toBe(
      [
        '[internal] load remote build context',
        'Step 1/3 : FROM base',
        ' ---> Using cache',
        'Step 2/3 : RUN make',
        'compiling a.c',
        'linking',
        ' ---> ERROR: exit code: 2',
        '',
      ].join('\n'),
    );
  });

  it('names the step again when parallel stages interleave, and times finished steps', () => {
    const lines = new BuildKitLines();
    const out = text(
      lines,
      { vertexes: [{ digest: FROM, name: '[full 1/1] FROM big', started: ts(0) }] },
      { vertexes: [{ digest: RUN, name: '[2/2] RUN make', started: ts(100) }] },
      { vertexes: [{ digest: FROM, name: '[full 1/1] FROM big', started: ts(0), completed: ts(1200) }] },
      { logs: [{ vertex: RUN, stream: 1, msg: Buffer.from('ok\n') }] },
      { statuses: [{ ID: 'x', vertex: RUN, name: 'exporting layers', completed: ts(2000) }] },
    );
    expect(out).toBe(
      [
        'Step 1/1 : FROM big',
        'Step 2/2 : RUN make',
        '(Step 1/1 : FROM big)',
        ' ---> done in 1.2s',
        '(Step 2/2 : RUN make)',
        'ok',
        ' ---> exporting layers done',
        '',
      ].join('\n'),
    );
  });

  it('flush gives the last line that had no newline yet', () => {
    const lines = new BuildKitLines();
    text(
      lines,
      { vertexes: [{ digest: RUN, name: '[1/1] RUN x', started: ts(0) }] },
      { logs: [{ vertex: RUN, msg: Buffer.from('tail') }] },
    );
    expect(lines.flush()).toEqual([{ stream: 'tail\n' }]);
    expect(lines.flush()).toEqual([]);
  });
});

describe('--builder', () => {
  it('defaults to auto and takes buildkit, classic', () => {
    expect(toInputs({}, undefined).builder).toBe('auto');
    expect(toInputs({ builder: 'classic' }, undefined).builder).toBe('classic');
    expect(toInputs({ builder: 'buildkit' }, undefined).builder).toBe('buildkit');
  });

  it('refuses other values, from a profile too', () => {
    expect(() => toInputs({ builder: 'kaniko' }, undefined)).toThrow(
      /--builder "kaniko": expected one of auto, buildkit, classic/,
    );
    const profile = {
      name: 'p',
      description: '',
      backends: [],
      repoagents: [],
      caches: [],
      overrides: { builder: 'v2' },
      server: undefined,
      path: 'p.yaml',
    };
    expect(() => toInputs({}, profile)).toThrow(/--builder "v2"/);
  });
});
