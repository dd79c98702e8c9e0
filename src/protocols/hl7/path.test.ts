import { describe, expect, it } from 'vitest';
import { compileMessagePath, compilePath } from './path.ts';

describe('compilePath', () => {
  it('reads segment, occurrence, field, repetition, component and sub-component', () => {
    expect(compilePath('PID-3')).toEqual({ segment: 'PID', field: 3 });
    expect(compilePath('PID-3.1.2')).toEqual({ segment: 'PID', field: 3, component: 1, subcomponent: 2 });
    expect(compilePath('OBX[2]-5.1')).toEqual({ segment: 'OBX', occurrence: 2, field: 5, component: 1 });
    expect(compilePath('PID-3(2).1')).toEqual({ segment: 'PID', field: 3, repetition: 2, component: 1 });
    expect(compilePath('zcr-5')).toEqual({ segment: 'ZCR', field: 5 });
    expect(compilePath('5.1')).toEqual({ field: 5, component: 1 });
  });

  it('refuses malformed paths with a TypeError that names them', () => {
    for (const path of [
      '',
      'PID',
      'PID-',
      'PID-x',
      'PID-3.',
      'PID-0',
      'PID-3(0)',
      'OBX[0]-5',
      'PIDX-3',
      'PID-3.1.2.3',
    ]) {
      expect(() => compilePath(path), path).toThrow(TypeError);
    }
    expect(() => compileMessagePath('3.1')).toThrow(/needs a segment id/);
  });

  it('returns frozen, cached paths', () => {
    const a = compilePath('OBX-8');
    expect(compilePath('OBX-8')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
