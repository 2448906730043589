import { ModelError } from './errors.js';
import { Rng, randomPermutation } from './rng.js';

export interface PrimeCodecOptions {
  vocabSize: number;
  base: number;
  length: number;
  /** Shuffle all base^length codes with a permutation drawn from `shuffleSeed` (index shuffling). */
  shuffle: boolean;
  shuffleSeed: number;
}

/** What is saved with a Prime model and its checkpoints: the permutation is part of the model. */
export interface SerializedPrimeCodec {
  vocabSize: number;
  base: number;
  length: number;
  /** permutation[x] = code of token x, over all base^length codes. */
  permutation: Int32Array;
  /** inverse[code] = x, the inverse of `permutation`. */
  inverse: Int32Array;
}

/**
 * The sub-tokeniser of MDM-Prime: token x -> code π(x) -> base-b digits, most significant first
 * (paper-notes 4 and 6.1). Codes at or above V after the inverse permutation are invalid: they are
 * never produced by `encode` and `decode` rejects them.
 */
export class PrimeCodec {
  readonly vocabSize: number;
  readonly base: number;
  readonly length: number;
  readonly codeCount: number;
  readonly permutation: Int32Array;
  readonly inverse: Int32Array;
  /** digits[x * length + j] = digit j (MSB first) of token x; the [V, l] table fed to K. */
  readonly digits: Int32Array;

  private constructor(s: SerializedPrimeCodec) {
    this.vocabSize = s.vocabSize;
    this.base = s.base;
    this.length = s.length;
    this.codeCount = s.base ** s.length;
    this.permutation = s.permutation;
    this.inverse = s.inverse;
    this.digits = new Int32Array(s.vocabSize * s.length);
    for (let x = 0; x < s.vocabSize; x++) {
      let code = s.permutation[x]!;
      for (let j = s.length - 1; j >= 0; j--) {
        this.digits[x * s.length + j] = code % s.base;
        code = Math.floor(code / s.base);
      }
    }
  }

  static create(opts: PrimeCodecOptions): PrimeCodec {
    checkGeometry(opts.vocabSize, opts.base, opts.length);
    const n = opts.base ** opts.length;
    let permutation: Int32Array;
    if (opts.shuffle) {
      permutation = randomPermutation(n, new Rng(opts.shuffleSeed));
    } else {
      permutation = new Int32Array(n);
      for (let i = 0; i < n; i++) permutation[i] = i;
    }
    const inverse = new Int32Array(n);
    for (let i = 0; i < n; i++) inverse[permutation[i]!] = i;
    return new PrimeCodec({
      vocabSize: opts.vocabSize,
      base: opts.base,
      length: opts.length,
      permutation,
      inverse,
    });
  }

  /** Restores a saved codec, checking that the permutation is a bijection and `inverse` is its inverse. */
  static fromSerialized(s: SerializedPrimeCodec): PrimeCodec {
    checkGeometry(s.vocabSize, s.base, s.length);
    const n = s.base ** s.length;
    if (s.permutation.length !== n) {
      throw new ModelError(
        'INVALID_CODEC',
        'permutation',
        `expected ${n} entries, got ${s.permutation.length}`,
      );
    }
    if (s.inverse.length !== n) {
      throw new ModelError(
        'INVALID_CODEC',
        'inverse',
        `expected ${n} entries, got ${s.inverse.length}`,
      );
    }
    for (let i = 0; i < n; i++) {
      const code = s.permutation[i]!;
      if (!(code >= 0 && code < n) || s.inverse[code] !== i) {
        throw new ModelError(
          'INVALID_CODEC',
          `permutation[${i}]`,
          'not a bijection of [0, base^length) matching inverse',
        );
      }
    }
    return new PrimeCodec({
      ...s,
      permutation: Int32Array.from(s.permutation),
      inverse: Int32Array.from(s.inverse),
    });
  }

  serialize(): SerializedPrimeCodec {
    return {
      vocabSize: this.vocabSize,
      base: this.base,
      length: this.length,
      permutation: Int32Array.from(this.permutation),
      inverse: Int32Array.from(this.inverse),
    };
  }

  /** Digits of tokens [n] -> [n, length] (MSB first). */
  encode(tokens: Int32Array): Int32Array {
    const l = this.length;
    const out = new Int32Array(tokens.length * l);
    for (let i = 0; i < tokens.length; i++) {
      const x = tokens[i]!;
      if (!(x >= 0 && x < this.vocabSize)) {
        throw new ModelError(
          'INVALID_BATCH',
          `tokens[${i}]`,
          `token ${x} outside [0, ${this.vocabSize})`,
        );
      }
      out.set(this.digits.subarray(x * l, x * l + l), i * l);
    }
    return out;
  }

  /** Tokens of digit groups [n, length] -> [n]; a code that maps to no token is an error. */
  decode(digits: Int32Array): Int32Array {
    const l = this.length;
    if (digits.length % l !== 0) {
      throw new ModelError(
        'INVALID_BATCH',
        'digits',
        `length ${digits.length} is not a multiple of ${l}`,
      );
    }
    const out = new Int32Array(digits.length / l);
    for (let i = 0; i < out.length; i++) {
      let code = 0;
      for (let j = 0; j < l; j++) {
        const digit = digits[i * l + j]!;
        if (!(digit >= 0 && digit < this.base)) {
          throw new ModelError(
            'INVALID_BATCH',
            `digits[${i * l + j}]`,
            `digit ${digit} outside [0, ${this.base})`,
          );
        }
        code = code * this.base + digit;
      }
      const x = this.inverse[code]!;
      if (x >= this.vocabSize) {
        throw new ModelError(
          'INVALID_CODEC',
          `digits[${i}]`,
          `code ${code} is not the code of any token`,
        );
      }
      out[i] = x;
    }
    return out;
  }
}

function checkGeometry(vocabSize: number, base: number, length: number): void {
  for (const [field, v] of [
    ['vocabSize', vocabSize],
    ['base', base],
    ['length', length],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new ModelError('INVALID_CODEC', field, `expected a positive integer, got ${v}`);
    }
  }
  if (base < 2) throw new ModelError('INVALID_CODEC', 'base', `expected at least 2, got ${base}`);
  if (base ** length < vocabSize) {
    throw new ModelError(
      'INVALID_CODEC',
      'length',
      `base^length = ${base ** length} < vocabSize ${vocabSize}`,
    );
  }
  if (base ** length > 2 ** 30) {
    throw new ModelError(
      'INVALID_CODEC',
      'length',
      `base^length = ${base ** length} exceeds 2^30 codes`,
    );
  }
}
