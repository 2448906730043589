import { describe, expect, it } from 'vitest';
import { isLoopback } from './bearer-auth.js';

describe('isLoopback', () => {
  it('accepts 127.0.0.0/8, ::1 in its spellings, IPv4-mapped loopback and localhost', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      'localhost',
      'LOCALHOST',
    ]) {
      expect(isLoopback(host), host).toBe(true);
    }
  });

  it('refuses host names that merely start like a loopback address, and every other address', () => {
    // Before: a string-prefix test let these skip the token requirement.
    for (const host of [
      '127.example.org',
      '127.0.0.1.nip.io',
      '127.',
      '1270.0.0.1',
      '0.0.0.0',
      '::',
      '::2',
      '::ffff:10.0.0.1',
      '10.0.0.1',
      'localhost.example.org',
      '',
    ]) {
      expect(isLoopback(host), host).toBe(false);
    }
  });
});
