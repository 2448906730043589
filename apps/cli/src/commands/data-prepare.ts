import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { DATA_ERRORS, prepareData, unigramEntropy, type PreparedData } from '@isoflop/data';
import { inputCodesOf, runAction } from '../cli-action.js';
import { loadSweepSpec } from '../load-spec.js';

/** Data errors that mean the spec or its corpus is wrong (exit 2), not that preparation broke. */
const MB = 1e6;

function formatBytes(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

function summary(
  prepared: PreparedData,
  seconds: number,
  reused: boolean,
): Record<string, unknown> {
  const { header } = prepared;
  return {
    dir: prepared.dir,
    content_hash: prepared.contentHash,
    corpus: header.corpus.kind,
    documents: header.corpus.documents,
    corpus_bytes: header.corpus.bytes,
    tokenizer: header.tokenizer.kind,
    tokenizer_hash: prepared.tokenizerHash,
    vocab_size: prepared.vocabSize,
    eot_id: prepared.eotId,
    dtype: header.dtype,
    train_tokens: prepared.train.tokens.length,
    val_tokens: prepared.val.tokens.length,
    train_documents: header.train.documents,
    val_documents: header.val.documents,
    unigram_entropy_nats: unigramEntropy(prepared.train),
    seconds,
    reused,
  };
}

function printText(prepared: PreparedData, seconds: number, reused: boolean): void {
  const { header } = prepared;
  const documents = (count: number | null): string =>
    count === null ? '' : ` in ${count} documents`;
  const lines = [
    `${reused ? 'reused' : 'prepared'} ${prepared.dir}`,
    `  corpus     ${header.corpus.kind}${header.corpus.bytes === null ? '' : `, ${formatBytes(header.corpus.bytes)} of text`}${documents(header.corpus.documents)}`,
    `  tokenizer  ${header.tokenizer.kind}, vocab ${prepared.vocabSize} (end-of-text ${prepared.eotId}), hash ${prepared.tokenizerHash}`,
    `  train      ${prepared.train.tokens.length} tokens${documents(header.train.documents)}`,
    `  val        ${prepared.val.tokens.length} tokens${documents(header.val.documents)}`,
    `  unigram    ${unigramEntropy(prepared.train).toFixed(3)} nats/token (train)`,
    `  time       ${seconds.toFixed(1)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function register(program: Command): void {
  const data =
    program.commands.find((command) => command.name() === 'data') ??
    program.command('data').description('corpus and token-shard tools');
  data
    .command('prepare')
    .description(
      "tokenise a sweep spec's corpus into cached train/val shards (what runs would otherwise do on first use)",
    )
    .argument(
      '<spec>',
      'sweep spec file (YAML, or JSON by .json extension); corpus paths are relative to it',
    )
    .option('--cache <dir>', 'cache root: shards land in <dir>/data/<contentHash>/', '.isoflop')
    .option('--json', 'print one JSON object instead of the summary')
    .addHelpText(
      'after',
      `
Output: the cache directory, corpus, tokenizer (vocab, end-of-text id, hash), train/val tokens, unigram
entropy and wall time; a progress bar on stderr while text is tokenised. Preparing the same data again
(any machine, any path) reuses the entry: its name is a hash of the corpus bytes and the data spec.
Exit codes: 0 prepared, 2 bad spec or corpus (<field.path>: <what was expected>), 1 failure.`,
    )
    .action(
      runAction(
        async (specPath: string, options: { cache: string; json?: boolean }) => {
          const { spec } = loadSweepSpec(specPath);
          const bar = new cliProgress.SingleBar(
            {
              format: 'tokenising [{bar}] {percentage}% | {doneMb}/{totalMb} MB of text',
              hideCursor: true,
              stream: process.stderr,
            },
            cliProgress.Presets.shades_classic,
          );
          let started = false;
          const startedAt = performance.now();
          let prepared: PreparedData;
          try {
            prepared = await prepareData(spec.data, {
              cacheDir: resolve(options.cache),
              onProgress: (done, total) => {
                const payload = {
                  doneMb: (done / MB).toFixed(1),
                  totalMb: (total / MB).toFixed(1),
                };
                if (!started) bar.start(total, done, payload);
                else bar.update(done, payload);
                started = true;
              },
            });
          } finally {
            bar.stop();
          }
          const seconds = (performance.now() - startedAt) / 1000;
          if (options.json) {
            process.stdout.write(`${JSON.stringify(summary(prepared, seconds, !started))}\n`);
          } else {
            printText(prepared, seconds, !started);
          }
        },
        { badInputCodes: inputCodesOf(DATA_ERRORS) },
      ),
    );
}
