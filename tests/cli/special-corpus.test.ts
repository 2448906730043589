import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Spawns the built CLI: `npm test` runs `tsc -b` first (build before running this file by hand).
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'apps/cli/bin/isoflop.js');
const scratch = mkdtempSync(join(tmpdir(), 'isoflop-cli-special-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
execFileSync('mkfifo', [join(scratch, 'corpus.fifo')]);

function isoflop(...args: string[]) {
  // A FIFO opened for reading blocks until a writer comes: the timeout turns a regression into a failure.
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stderr: result.stderr };
}

function specWithCorpus(name: string, paths: string[]): string {
  const path = join(scratch, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      name,
      families: { arm: {} },
      budgets: [1e12],
      sizes: { shapes: [{ dModel: 40, nLayers: 1, nHeads: 2 }] },
      seqLen: 64,
      batchSize: 8,
      data: { corpus: { kind: 'text', paths }, tokenizer: { kind: 'bpe', vocabSize: 1024 } },
      eval: { tokens: 4096, every: 50 },
    }),
  );
  return path;
}

/**
 * Issue 15, defect 3: `isoflop data prepare` hung on a /dev/zero corpus (reading it without end). The CLI
 * refuses a FIFO or a device in the spec with exit 2 and the field path, before reading it.
 */
describe('CLI commands given a corpus that is not a regular file', () => {
  it.each([
    ['data prepare, /dev/zero', ['data', 'prepare'], ['/dev/zero'], /character device/],
    ['data prepare, a FIFO', ['data', 'prepare'], ['corpus.fifo'], /FIFO/],
    ['plan, a FIFO', ['plan'], ['corpus.fifo'], /FIFO/],
  ])('%s: exit 2 naming the field', (name, command, paths, kind) => {
    const spec = specWithCorpus(name.replace(/[^a-z]+/g, '-'), paths);
    const { code, stderr } = isoflop(
      ...command,
      spec,
      ...(command[0] === 'data' ? ['--cache', join(scratch, 'cache')] : []),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/data\.corpus\.paths\[0\]/);
    expect(stderr).toMatch(kind);
  });
});
