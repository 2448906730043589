import { maskPatternWeight } from './internal/beta.js';
import { ModelError } from './errors.js';
import type { PrimeCodec } from './prime-codec.js';

export interface UnigramObjectives {
  /** H(X) in nats. */
  entropy: number;
  /** J* of the published objective at the optimal model (the carry-over posterior), nats. */
  published: number;
  /** K* of the sub-token NELBO at the optimal model, nats; equals H(X). */
  nelbo: number;
}

/**
 * Exact J* and K* for one context-free token drawn from `probs` and sub-tokenised by `codec`, with the
 * linear schedule (paper-notes 5). Each visible set S of digits has weight B(l−|S|, |S|+1);
 * J* sums H(X | Y_S) = H(X) − H(Y_S), K* sums Σ_{j∉S} H(Y_j | Y_S). Cost O(2^l · V · l).
 */
export function unigramObjectives(probs: Float64Array, codec: PrimeCodec): UnigramObjectives {
  const V = codec.vocabSize;
  const l = codec.length;
  if (probs.length !== V) {
    throw new ModelError(
      'INVALID_CONFIG',
      'probs',
      `expected ${V} probabilities, got ${probs.length}`,
    );
  }
  if (l > 20)
    throw new ModelError('INVALID_CONFIG', 'codec.length', `2^${l} visible sets is too many`);
  const place = new Float64Array(l);
  for (let j = 0; j < l; j++) place[j] = codec.base ** (l - 1 - j);
  // Joint entropy of the digits in each subset S (bit j of S = digit j visible).
  const subsetEntropy = new Float64Array(1 << l);
  const mass = new Map<number, number>();
  for (let s = 0; s < 1 << l; s++) {
    mass.clear();
    for (let x = 0; x < V; x++) {
      let key = 0;
      for (let j = 0; j < l; j++) if (s & (1 << j)) key += codec.digits[x * l + j]! * place[j]!;
      mass.set(key, (mass.get(key) ?? 0) + probs[x]!);
    }
    let h = 0;
    for (const p of mass.values()) if (p > 0) h -= p * Math.log(p);
    subsetEntropy[s] = h;
  }
  const entropy = subsetEntropy[(1 << l) - 1]!;
  let published = 0;
  let nelbo = 0;
  for (let s = 0; s < (1 << l) - 1; s++) {
    let visible = 0;
    for (let j = 0; j < l; j++) if (s & (1 << j)) visible++;
    const w = maskPatternWeight(l - visible, l);
    published += w * (entropy - subsetEntropy[s]!);
    for (let j = 0; j < l; j++) {
      if (!(s & (1 << j))) nelbo += w * (subsetEntropy[s | (1 << j)]! - subsetEntropy[s]!);
    }
  }
  return { entropy, published, nelbo };
}
