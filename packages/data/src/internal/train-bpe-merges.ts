import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { DataError } from '../errors.js';

const require = createRequire(import.meta.url);

/*
 * The native trainer blocks its thread for seconds and draws its own progress bar on the terminal, so it
 * runs in a child process with stdout discarded. TOKENIZERS_PARALLELISM=false makes it single-threaded:
 * the merge list then cannot depend on the machine's core count, and the cache key relies on that.
 */
const TRAIN_SCRIPT = `
const [tokenizersPath, outPath, ...files] = process.argv.slice(1);
const tk = require(tokenizersPath);
const tokenizer = new tk.Tokenizer(tk.BPE.empty());
tokenizer.setPreTokenizer(tk.byteLevelPreTokenizer(false, true));
tokenizer.train(files);
tokenizer.save(outPath, false);
`;

export type Merge = readonly [string, string];

/**
 * Trains Hugging Face's byte-level BPE (GPT-2 pre-tokenisation regex, no prefix space) on the text files and
 * returns its merge list in training order, most frequent pair first.
 */
export async function trainBpeMerges(files: readonly string[], outPath: string): Promise<Merge[]> {
  const stderr: Buffer[] = [];
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-e', TRAIN_SCRIPT, require.resolve('tokenizers'), outPath, ...files],
      {
        env: { ...process.env, TOKENIZERS_PARALLELISM: 'false' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (exitCode !== 0) {
    throw new DataError(
      'TOKENIZER_FAILED',
      `BPE training exited with ${String(exitCode)}: ${Buffer.concat(stderr).toString('utf8').trim()}`,
    );
  }
  const saved = JSON.parse(await readFile(outPath, 'utf8')) as {
    model: { merges: [string, string][] };
  };
  return saved.model.merges;
}
