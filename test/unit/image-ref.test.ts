import { describe, expect, it } from 'vitest';
import { checkImageArg, formatImageRef, parseImageRef } from '../../src/core/image-ref.js';

describe('parseImageRef', () => {
  it('splits registry, repository and tag', () => {
    expect(parseImageRef('nvcr.io/nvidia/tritonserver:24.09-py3')).toEqual({
      registry: 'nvcr.io',
      repository: 'nvidia/tritonserver',
      tag: '24.09-py3',
    });
    expect(parseImageRef('127.0.0.1:5055/nvidia/tritonserver:25.09-py3-min')).toEqual({
      registry: '127.0.0.1:5055',
      repository: 'nvidia/tritonserver',
      tag: '25.09-py3-min',
    });
    expect(parseImageRef('harbor.example/tools/tritonserver:24.09-slim').registry).toBe('harbor.example');
  });
  it('treats a first component without dot or port as a repository path', () => {
    expect(parseImageRef('tslim-fixture/tritonserver:24.09-py3')).toEqual({
      registry: 'docker.io',
      repository: 'tslim-fixture/tritonserver',
      tag: '24.09-py3',
    });
    expect(parseImageRef('localhost/x').registry).toBe('localhost');
  });
  it('keeps digests', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageRef(`nvcr.io/nvidia/tritonserver@${digest}`).digest).toBe(digest);
  });
  it.each([
    'bad ref',
    'a\nFROM scratch',
    'repo:bad tag',
    'repo:-tag',
    'Upper/case',
    'x/../y',
    'repo:tag;rm',
    '',
    'a:'.padEnd(300, 'b'),
  ])('refuses %j', (text) => {
    expect(() => parseImageRef(text)).toThrow(/not a valid image reference/);
  });
  it('round-trips', () => {
    for (const text of [
      'nvcr.io/nvidia/tritonserver:24.09-py3',
      'tslim-fixture/tritonserver:24.09-py3',
      '127.0.0.1:5055/a/b:c',
    ]) {
      expect(formatImageRef(parseImageRef(text))).toBe(text);
    }
  });
  it('accepts image ids', () => {
    expect(checkImageArg('sha256:0123456789abcdef0123')).toBe('sha256:0123456789abcdef0123');
    expect(checkImageArg('0123456789ab')).toBe('0123456789ab');
  });
});
