import { describe, expect, it } from 'vitest';
import { normaliseVersion, tryNormaliseVersion } from './version.ts';
import { WctpError } from './wctp-error.ts';

describe('normaliseVersion', () => {
  it.each([
    ['wctp-dtd-v1r3', '1.3'],
    ['WCTP-DTD-V1R3', '1.3'],
    ['1.3', '1.3'],
    [' 1.3 ', '1.3'],
    ['wctp-dtd-v1r2', '1.2'],
    ['wctp-dtd-v1r1.dtd', '1.1'],
    ['http://dtd.wctp.org/wctp-dtd-v1r1.dtd', '1.1'],
    ['1.1', '1.1'],
    ['wctpv1-0', '1.0'],
    ['wctpv1-0.dtd', '1.0'],
    ['1.0', '1.0'],
    ['v1r2', '1.2'],
  ])('reads %j as WCTP %s', (spelling, version) => {
    expect(normaliseVersion(spelling)).toBe(version);
  });

  it.each(['', '2.0', 'wctp-dtd-v2r0', '1.4', 'wctp', 'latest'])('refuses %j with 303', (spelling) => {
    expect(tryNormaliseVersion(spelling)).toBeUndefined();
    try {
      normaliseVersion(spelling);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WctpError);
      expect((error as WctpError).code).toBe(303);
    }
  });
});
