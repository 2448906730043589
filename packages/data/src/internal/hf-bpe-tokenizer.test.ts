import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { byteLevelAlphabet } from 'tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EOT_TEXT } from '../text-tokenizer.js';
import { byteLevelChars } from './byte-level-alphabet.js';
import { gpt2Tokenizer } from './gpt2-tokenizer.js';
import { bpeTokenizerJson, hfBpeTokenizer, splitAtWordStarts } from './hf-bpe-tokenizer.js';
import { sotuDataDir } from './corpus-files.js';
import { trainBpeMerges, type Merge } from './train-bpe-merges.js';

const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * Textbook BPE (Sennrich et al. / GPT-2's encoder.py), independent of the native library: GPT-2 regex
 * pre-tokenisation, bytes to printable characters, then repeatedly merge the adjacent pair of lowest rank.
 */
function referenceEncode(
  text: string,
  merges: readonly Merge[],
  vocab: Record<string, number>,
): number[] {
  const chars = byteLevelChars();
  const rank = new Map(merges.map(([a, b], index) => [`${a}\u0000${b}`, index]));
  const ids: number[] = [];
  for (const word of text.match(GPT2_PATTERN) ?? []) {
    let symbols = Array.from(Buffer.from(word, 'utf8'), (byte) => chars[byte] ?? '');
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i += 1) {
        const r = rank.get(`${symbols[i]}\u0000${symbols[i + 1]}`);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      symbols = [
        ...symbols.slice(0, best),
        `${symbols[best]}${symbols[best + 1]}`,
        ...symbols.slice(best + 2),
      ];
    }
    for (const symbol of symbols) ids.push(vocab[symbol] ?? -1);
  }
  return ids;
}

function randomText(seed: number, length: number): string {
  // Code points from every UTF-8 length class: controls, ASCII, Latin-1, CJK, combining marks, emoji.
  const ranges: [number, number][] = [
    [0x00, 0x1f],
    [0x20, 0x7e],
    [0x80, 0x2ff],
    [0x300, 0x36f],
    [0x4e00, 0x9fff],
    [0x1f300, 0x1faff],
  ];
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  let text = '';
  for (let i = 0; i < length; i += 1) {
    const [lo, hi] = ranges[Math.floor(next() * ranges.length)] ?? [0x41, 0x5a];
    text += String.fromCodePoint(lo + Math.floor(next() * (hi - lo + 1)));
  }
  return text;
}

describe('byte-level BPE built from the native trainer', () => {
  let workDir: string;
  let trainText: string;
  let heldOutText: string;
  let merges: Merge[];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'isoflop-bpe-'));
    const names = (await readdir(sotuDataDir())).filter((name) => name.endsWith('.txt')).sort();
    const read = (name: string | undefined): Promise<string> =>
      readFile(join(sotuDataDir(), name ?? ''), 'utf8');
    trainText = (await Promise.all(names.slice(200, 206).map(read))).join('\n');
    heldOutText = await read(names[10]);
    await writeFile(join(workDir, 'corpus.txt'), trainText);
    merges = await trainBpeMerges([join(workDir, 'corpus.txt')], join(workDir, 'a.json'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('maps the 256 bytes onto exactly the native ByteLevel alphabet', () => {
    const chars = byteLevelChars();
    expect(new Set(chars).size).toBe(256);
    expect([...chars].sort()).toEqual([...byteLevelAlphabet()].sort());
    expect(chars['A'.charCodeAt(0)]).toBe('A');
    expect(chars[' '.charCodeAt(0)]).toBe('Ġ');
  });

  it('trains the same merge list twice (the cache key relies on it)', async () => {
    const again = await trainBpeMerges([join(workDir, 'corpus.txt')], join(workDir, 'b.json'));
    expect(again).toEqual(merges);
    expect(merges.length).toBeGreaterThan(2000);
  });

  it('lays out ids like GPT-2: bytes, then merges in training order, end-of-text last', () => {
    const json = JSON.parse(bpeTokenizerJson(merges, 1024)) as {
      model: { vocab: Record<string, number>; merges: Merge[] };
      added_tokens: { id: number; content: string }[];
    };
    const { vocab } = json.model;
    const chars = byteLevelChars();
    chars.forEach((char, byte) => expect(vocab[char]).toBe(byte));
    expect(Object.keys(vocab)).toHaveLength(1023);
    expect(new Set(Object.values(vocab)).size).toBe(1023);
    expect(json.added_tokens).toEqual([expect.objectContaining({ id: 1023, content: EOT_TEXT })]);
    // The merges kept are a prefix of the trained list, and each new string takes the next id.
    expect(json.model.merges).toEqual(merges.slice(0, json.model.merges.length));
    let expectedId = 256;
    for (const [a, b] of json.model.merges) {
      const id = vocab[a + b] ?? -1;
      if (id >= expectedId) expect(id).toBe(expectedId++);
    }
    expect(expectedId).toBe(1023);
    expect(hfBpeTokenizer(JSON.stringify(json)).vocabSize).toBe(1024);
  });

  it('encodes unseen text exactly as a textbook BPE with the truncated merge list', async () => {
    const json = bpeTokenizerJson(merges, 700);
    const saved = JSON.parse(json) as { model: { vocab: Record<string, number>; merges: Merge[] } };
    const [ids] = await hfBpeTokenizer(json).encode([heldOutText]);
    expect(Array.from(ids ?? [])).toEqual(
      referenceEncode(heldOutText, saved.model.merges, saved.model.vocab),
    );
  });

  it('encodes any string (every byte is in the vocabulary) and decodes it back exactly', async () => {
    const tokenizer = hfBpeTokenizer(bpeTokenizerJson(merges, 512));
    const texts = [0, 1, 2, 3, 4].map((seed) => randomText(seed, 400));
    const encoded = await tokenizer.encode(texts);
    for (const [index, ids] of encoded.entries()) {
      expect(Math.max(...ids)).toBeLessThan(511);
      expect(await tokenizer.decode(ids)).toBe(texts[index]);
    }
  });

  it('splits long text only where GPT-2 pre-tokenisation splits anyway', async () => {
    const pieces = splitAtWordStarts(heldOutText, 300);
    expect(pieces.join('')).toBe(heldOutText);
    expect(pieces.length).toBeGreaterThan(heldOutText.length / 400);
    for (const piece of pieces.slice(1)) expect(piece).toMatch(/^ \S/);
    const json = bpeTokenizerJson(merges, 2048);
    const saved = JSON.parse(json) as { model: { vocab: Record<string, number>; merges: Merge[] } };
    const [ids] = await hfBpeTokenizer(json).encode([heldOutText]);
    expect(Array.from(ids ?? [])).toEqual(
      referenceEncode(heldOutText, saved.model.merges, saved.model.vocab),
    );
  });

  it('turns a literal end-of-text into the end-of-text id, like the GPT-2 tokenizer', async () => {
    const bpe = hfBpeTokenizer(bpeTokenizerJson(merges, 512));
    const gpt2 = gpt2Tokenizer();
    for (const tokenizer of [bpe, gpt2]) {
      const [ids] = await tokenizer.encode([`one${EOT_TEXT}two`]);
      expect(Array.from(ids ?? []).filter((id) => id === tokenizer.eotId)).toHaveLength(1);
      expect(await tokenizer.decode(ids ?? [])).toBe(`one${EOT_TEXT}two`);
    }
  });

  it('refuses a vocabulary larger than the corpus supports, naming the field', () => {
    expect(() => bpeTokenizerJson(merges.slice(0, 10), 300)).toThrow(
      expect.objectContaining({ code: 'INVALID_DATA_SPEC', field: 'data.tokenizer.vocabSize' }),
    );
    expect(() => bpeTokenizerJson(merges.slice(0, 10), 300)).toThrow(/expected at most 267/);
  });
});

describe('GPT-2 tokenizer', () => {
  it("is r50k_base: V = 50257, end-of-text 50256, GPT-2's ids", async () => {
    const tokenizer = gpt2Tokenizer();
    expect(tokenizer.vocabSize).toBe(50_257);
    expect(tokenizer.eotId).toBe(50_256);
    const [ids] = await tokenizer.encode(['Hello world']);
    expect(Array.from(ids ?? [])).toEqual([15496, 995]);
    const text = randomText(11, 300);
    const [random] = await tokenizer.encode([text]);
    expect(await tokenizer.decode(random ?? [])).toBe(text);
  });
});
