import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import {
  DATA_ERRORS,
  prepareData,
  unigramEntropy,
  type PrepareProgress,
  type PreparedData,
} from '@isoflop/data';
import { inputCodesOf, positiveInt, runAction } from '../cli-action.js';
import { loadSweepSpec } from '../load-spec.js';

/** Data errors that mean the spec or its corpus is wrong (exit 2), not that preparation broke. */
const MB = 1e6;

const PHASE_LABELS: Readonly<Record<PrepareProgress['phase'], string>> = {
  hash: 'hashing   ',
  scan: 'splitting ',
  tokenise: 'tokenising',
};

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
    shard_tokens: header.shardTokens,
    train_shards: header.train.shards.length,
    val_shards: header.val.shards.length,
    corpus_files: header.corpus.files,
    source_bytes: header.corpus.sourceBytes,
    train_tokens: prepared.train.length,
    val_tokens: prepared.val.length,
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
    `  files      ${header.corpus.files}, ${formatBytes(header.corpus.sourceBytes)} on disk`,
    `  shards     ${header.dtype}, up to ${header.shardTokens} tokens each`,
    `  train      ${prepared.train.length} tokens${documents(header.train.documents)}, ${header.train.shards.length} shard(s)`,
    `  val        ${prepared.val.length} tokens${documents(header.val.documents)}, ${header.val.shards.length} shard(s)`,
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
    .option('--threads <n>', 'tokenising threads (default: one per core)', positiveInt('--threads'))
    .option(
      '--shard-tokens <n>',
      'tokens per shard file (default 67108864, 128 MiB of uint16)',
      positiveInt('--shard-tokens'),
    )
    .addHelpText(
      'after',
      `
Output: the cache directory, corpus, tokenizer (vocab, end-of-text id, hash), shards, train/val tokens,
unigram entropy and wall time; on stderr a progress bar per phase (hashing, splitting, tokenising) with
MB/s, documents/s, tokens/s and an ETA. An interrupted preparation resumes after its last whole shard. Preparing the same data again
(any machine, any path) reuses the entry: its name is a hash of the corpus bytes and the data spec.
Exit codes: 0 prepared, 2 bad spec or corpus (<field.path>: <what was expected>), 1 failure.`,
    )
    .action(
      runAction(
        async (
          specPath: string,
          options: { cache: string; json?: boolean; threads?: number; shardTokens?: number },
        ) => {
          const { spec } = loadSweepSpec(specPath);
          const bar = new cliProgress.SingleBar(
            {
              format:
                '{phase} [{bar}] {percentage}% | {doneMb}/{totalMb} MB | {docRate} docs/s | {tokenRate} tokens/s | {mbRate} MB/s | ETA {eta_formatted}',
              hideCursor: true,
              stream: process.stderr,
              etaBuffer: 50,
            },
            cliProgress.Presets.shades_classic,
          );
          let started = false;
          let phase = '';
          let phaseStart = 0;
          const startedAt = performance.now();
          const onStats = (stats: PrepareProgress): void => {
            const now = performance.now();
            if (stats.phase !== phase) {
              phase = stats.phase;
              phaseStart = now;
              if (started) bar.stop();
              bar.start(stats.totalBytes, 0, {});
              started = true;
            }
            const seconds = Math.max((now - phaseStart) / 1000, 1e-3);
            bar.update(stats.bytes, {
              phase: PHASE_LABELS[stats.phase],
              doneMb: (stats.bytes / MB).toFixed(1),
              totalMb: (stats.totalBytes / MB).toFixed(1),
              docRate: Math.round(stats.documents / seconds),
              tokenRate: Math.round(stats.tokens / seconds),
              mbRate: (stats.bytes / MB / seconds).toFixed(1),
            });
          };
          let prepared: PreparedData;
          let built = false;
          try {
            prepared = await prepareData(spec.data, {
              cacheDir: resolve(options.cache),
              onStats,
              onProgress: () => (built = true),
              ...(options.threads === undefined ? {} : { threads: options.threads }),
              ...(options.shardTokens === undefined ? {} : { shardTokens: options.shardTokens }),
            });
          } finally {
            if (started) bar.stop();
          }
          const seconds = (performance.now() - startedAt) / 1000;
          if (options.json) {
            process.stdout.write(`${JSON.stringify(summary(prepared, seconds, !built))}\n`);
          } else {
            printText(prepared, seconds, !built);
          }
        },
        { badInputCodes: inputCodesOf(DATA_ERRORS) },
      ),
    );
}
