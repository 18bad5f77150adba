import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/inspect/env.js';
import { packageFamily, parseOsRelease } from '../../src/inspect/os-release.js';
import { formatBytes, parseSize } from '../../src/core/sizes.js';
import { redact } from '../../src/core/redact.js';

describe('parseEnv', () => {
  it('keeps values with = and lets later entries win', () => {
    expect(parseEnv(['A=1', 'B=x=y', 'A=2', 'bad', '=nokey'])).toEqual({ A: '2', B: 'x=y' });
  });
});

describe('parseOsRelease', () => {
  const ubuntu =
    'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n';
  it('reads quoted and bare values', () => {
    expect(parseOsRelease(ubuntu)).toEqual({
      id: 'ubuntu',
      idLike: ['debian'],
      versionId: '22.04',
      codename: 'jammy',
      prettyName: 'Ubuntu 22.04.4 LTS',
    });
  });
  it('derives the package family from ID and ID_LIKE', () => {
    expect(packageFamily(parseOsRelease(ubuntu))).toBe('apt');
    expect(packageFamily(parseOsRelease('ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.9"'))).toBe('dnf');
    expect(packageFamily(parseOsRelease('ID=alpine\nVERSION_ID=3.19'))).toBeUndefined();
  });
  it('returns undefined without an ID', () => {
    expect(parseOsRelease('NAME=x')).toBeUndefined();
  });
});

describe('sizes', () => {
  it.each([
    ['256MB', 256e6],
    ['268435456', 268435456],
    ['8GB', 8e9],
    ['1GiB', 1024 ** 3],
    ['64m', 64 * 1024 ** 2],
    ['64MB', 64e6],
    ['1.5 GB', 1.5e9],
  ])('parses %s', (text, bytes) => expect(parseSize(text)).toBe(bytes));
  it.each(['-1', '12XB', 'abc', '', '1e9'])('refuses %j', (text) => expect(parseSize(text)).toBeUndefined());
  it('formats decimal units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(17_200_000_000)).toBe('17.2 GB');
  });
});

describe('redact', () => {
  it('hides URL userinfo passwords and registered secrets', () => {
    expect(redact('proxy http://user:s3cret@proxy:3128 ok')).toBe('proxy http://user:***@proxy:3128 ok');
    expect(redact('password is hunter22', ['hunter22'])).toBe('password is ***');
  });
});
