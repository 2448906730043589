import { describe, expect, it } from 'vitest';
import { figure } from './chart-format.js';

describe('a fitted figure', () => {
  it('prints its interval to the same decimal places as the value', () => {
    expect(figure(0.51534, [0.49912, 0.50847])).toBe('0.515 [0.499, 0.508]');
    expect(figure(1.2345, [1.1, 1.41])).toBe('1.23 [1.10, 1.41]');
    expect(figure(123.4, [99.6, 151.2])).toBe('123 [100, 151]');
  });

  it('keeps a value outside its interval visibly outside', () => {
    // 0.481 against [0.46, 0.48] read as inside at two digits; it is not.
    expect(figure(0.4813, [0.4614, 0.4796])).toBe('0.481 [0.461, 0.480]');
  });

  it("prints a very small or very large figure's bounds in the value's own form", () => {
    expect(figure(1.234e-5, [1.1e-5, 1.5e-5])).toBe('0.0000123 [0.0000110, 0.0000150]');
    expect(figure(1.234e22, [1.1e22, 1.5e22])).toBe('1.23e+22 [1.10e+22, 1.50e+22]');
  });

  it('leaves out an interval it cannot print, and a value it cannot', () => {
    expect(figure(0.5, [Number.NaN, 0.6])).toBe('0.500');
    expect(figure(0.5)).toBe('0.500');
    expect(figure(null, [0.4, 0.6])).toBe('–');
    expect(figure(Number.POSITIVE_INFINITY)).toBe('–');
  });
});
