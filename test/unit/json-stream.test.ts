import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { followStream } from '../../src/docker/json-stream.js';

function streamOf(lines: string[], split = 7): PassThrough {
  const s = new PassThrough();
  const text = lines.join('\n') + '\n';
  // deliver in odd-sized chunks so line reassembly is exercised
  setImmediate(() => {
    for (let i = 0; i < text.length; i += split) s.write(text.slice(i, i + split));
    s.end();
  });
  return s;
}

describe('followStream', () => {
  it('collects every event across chunk boundaries', async () => {
    const events = await followStream(
      streamOf(['{"stream":"Step 1/2"}', '{"status":"Pushing","id":"abc"}', '{"aux":{"ID":"sha256:1"}}']),
    );
    expect(events.map((e) => e.stream ?? e.status ?? e.aux?.ID)).toEqual(['Step 1/2', 'Pushing', 'sha256:1']);
  });
  it('rejects on an error line even though the stream ends normally', async () => {
    await expect(
      followStream(streamOf(['{"stream":"ok"}', '{"errorDetail":{"message":"boom"},"error":"boom"}']), {
        what: 'build',
        errorCode: 'BUILD_FAILED',
      }),
    ).rejects.toMatchObject({ code: 'BUILD_FAILED', message: 'build failed: boom' });
  });
  it('rejects when aborted', async () => {
    const controller = new AbortController();
    const s = new PassThrough();
    const p = followStream(s, { signal: controller.signal });
    controller.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
