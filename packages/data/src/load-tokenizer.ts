import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from './errors.js';
import { gpt2Tokenizer } from './internal/gpt2-tokenizer.js';
import { hfBpeTokenizer } from './internal/hf-bpe-tokenizer.js';
import { TOKENIZER_FILE } from './prepared-data.js';
import type { TextTokenizer } from './text-tokenizer.js';

/**
 * The tokenizer saved with a preparation (to decode samples, or encode prompts), or undefined when the
 * corpus came pre-tokenised (`tokenizer: none`) and there is nothing to load.
 */
export async function loadTokenizer(preparedDir: string): Promise<TextTokenizer | undefined> {
  const path = join(preparedDir, TOKENIZER_FILE);
  let json: string;
  try {
    json = await readFile(path, 'utf8');
  } catch (error) {
    throw new DataError('BAD_CACHE', `expected a readable '${path}'`, { cause: error });
  }
  const saved = JSON.parse(json) as { kind?: string; model?: unknown };
  if (saved.model !== undefined) return hfBpeTokenizer(json);
  if (saved.kind === 'gpt2') return gpt2Tokenizer();
  if (saved.kind === 'none') return undefined;
  throw new DataError('BAD_CACHE', `expected a gpt2, bpe or none tokenizer in '${path}'`);
}
