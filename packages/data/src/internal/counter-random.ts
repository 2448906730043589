/** MurmurHash3's 32-bit finaliser: a bijection on 32-bit words with full avalanche. */
function fmix32(word: number): number {
  let h = word >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashWords(words: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const word of words) h = fmix32(Math.imul(h ^ (word >>> 0), 0x27d4eb2f) + 0x165667b1);
  return h;
}

/**
 * A uniform number in [0, 1) with 53 random bits that depends only on its arguments (a counter-based
 * generator): no state, so any (seed, stream, counter) can be drawn without drawing the ones before it.
 * `seed` may be any non-negative safe integer.
 */
export function counterUniform(
  seed: number,
  stream: number,
  counter: number,
  lane: number,
): number {
  const seedLow = seed >>> 0;
  const seedHigh = Math.floor(seed / 0x1_0000_0000) >>> 0;
  const counterLow = counter >>> 0;
  const counterHigh = Math.floor(counter / 0x1_0000_0000) >>> 0;
  const key = [seedLow, seedHigh, stream, counterLow, counterHigh, lane];
  const high = hashWords([...key, 1]) >>> 5;
  const low = hashWords([...key, 2]) >>> 6;
  return (high * 0x400_0000 + low) / 2 ** 53;
}
