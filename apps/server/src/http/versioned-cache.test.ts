import { describe, expect, it } from 'vitest';
import { VersionedCache } from './versioned-cache.js';

describe('VersionedCache', () => {
  it('computes a key once per data version and again after a write', () => {
    const cache = new VersionedCache<number>(8);
    let computed = 0;
    const read = (version: string) => cache.get('chart', version, () => ++computed);
    expect([read('1:0'), read('1:0'), read('1:0')]).toEqual([1, 1, 1]);
    expect(read('1:1')).toBe(2);
    expect(read('1:1')).toBe(2);
    // Back to a token seen before: the entry went with its version, so it is read again.
    expect(read('1:0')).toBe(3);
  });

  it('keeps at most maxEntries keys, dropping the oldest', () => {
    const cache = new VersionedCache<string>(2);
    const computed: string[] = [];
    const read = (key: string) => cache.get(key, 'v', () => (computed.push(key), key));
    read('a');
    read('b');
    read('c');
    read('b');
    read('a');
    expect(computed).toEqual(['a', 'b', 'c', 'a']);
  });
});
