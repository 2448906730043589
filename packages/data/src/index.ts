export { sampleBatch, validationBatches } from './batch-sampler.js';
export {
  MIN_BPE_VOCAB,
  UINT16_VOCAB_LIMIT,
  validateDataSpec,
  type CorpusSpec,
  type DataSpec,
  type ShardDtype,
  type ShardsCorpusSpec,
  type TextCorpusSpec,
  type TextTokenizerSpec,
  type TokenizerSpec,
  type ValidDataSpec,
} from './data-spec.js';
export {
  MAX_CORPUS_FILE_BYTES,
  readBoundedFile,
  regularFileProblem,
  type FileProblem,
} from './bounded-file.js';
export { corpusFileIssues, type NamedFile } from './corpus-file-issues.js';
export { DATA_ERRORS, DataError, type DataErrorCode } from './errors.js';
export { fetchPreparedData, type DataServer } from './fetch-prepared-data.js';
export { preparedSpecHash } from './internal/spec-memo.js';
export { loadTokenizer } from './load-tokenizer.js';
export { prepareData, type PrepareDataOptions, type PrepareProgress } from './prepare-data.js';
export {
  DATA_FORMAT_VERSION,
  openPreparedData,
  type PreparedSplit,
  type PreparedData,
  type PreparedDataHeader,
  type SplitRule,
} from './prepared-data.js';
export { EOT_TEXT, type TextTokenizer, type TokenizerKind } from './text-tokenizer.js';
export {
  dtypeForVocab,
  shardedTokens,
  tokenShardFromArray,
  type ShardFile,
  type TokenShard,
} from './token-shard.js';
export { unigramEntropy } from './unigram-entropy.js';
