import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../apps/cli/src/commands/data-prepare.js';
import { createProgram } from '../../apps/cli/src/program.js';

const SPEC = (corpusFile: string): string => `
name: tiny
families:
  arm: {}
budgets: [1.0e+12]
sizes:
  shapes:
    - { dModel: 40, nLayers: 1, nHeads: 2 }
seqLen: 64
batchSize: 8
data:
  corpus: { kind: jsonl, paths: [${corpusFile}], field: body }
  tokenizer: { kind: bpe, vocabSize: 280 }
  valFraction: 0.2
eval: { tokens: 4096, every: 50 }
`;

/** Runs `isoflop data prepare ...args` in-process and returns what it printed and its exit code. */
async function isoflop(
  ...args: string[]
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  const err = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  const program = createProgram();
  register(program);
  try {
    await program.parseAsync(['node', 'isoflop', 'data', 'prepare', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { stdout: stdout.join(''), stderr: stderr.join(''), exitCode };
}

describe('isoflop data prepare', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'isoflop-cli-data-'));
    const lines = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({ body: `Document ${i} greets the committee and the world. `.repeat(20) }),
    );
    await writeFile(join(root, 'docs.jsonl'), lines.join('\n'));
    await writeFile(join(root, 'good.yaml'), SPEC('docs.jsonl'));
    await writeFile(join(root, 'missing.yaml'), SPEC('nowhere.jsonl'));
  });
  afterEach(() => {
    process.exitCode = undefined;
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('resolves corpus paths against the spec file and prints what it built', async () => {
    const cache = join(root, 'cache');
    const { stdout, stderr, exitCode } = await isoflop(join(root, 'good.yaml'), '--cache', cache);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^prepared .*data\/[0-9a-f]{64}\n/);
    expect(stdout).toMatch(/corpus +jsonl, \d+\.\d kB of text in 10 documents/);
    expect(stdout).toMatch(/tokenizer +bpe, vocab 280 \(end-of-text 279\), hash [0-9a-f]{64}/);
    expect(stdout).toMatch(/train +\d+ tokens in 8 documents/);
    expect(stdout).toMatch(/val +\d+ tokens in 2 documents/);
    expect(stdout).toMatch(/time +\d+\.\d s/);
  });

  it('prints JSON and reports a reused cache entry', async () => {
    const cache = join(root, 'cache');
    const { stdout, exitCode } = await isoflop(join(root, 'good.yaml'), '--cache', cache, '--json');
    expect(exitCode).toBe(0);
    const summary = JSON.parse(stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      vocab_size: 280,
      tokenizer: 'bpe',
      reused: true,
      val_documents: 2,
    });
    expect(summary['dir']).toBe(join(cache, 'data', String(summary['content_hash'])));
    expect(Number(summary['train_tokens'])).toBeGreaterThan(0);
  });

  it('names the missing corpus file by field path, exits 2 and writes nothing', async () => {
    const cache = join(root, 'cache-missing');
    const { stderr, exitCode } = await isoflop(join(root, 'missing.yaml'), '--cache', cache);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(
      /data\.corpus\.paths\[0\]: expected an existing file, not found: .*nowhere\.jsonl/,
    );
    await expect(readdir(cache)).rejects.toThrow(/ENOENT/);
  });
});
