/**
 * What each code means: `input` (the caller's input is wrong; never retried, the CLI exits 2), `transient`
 * (may succeed if tried again), `permanent` (will not); `status`, where the code can reach HTTP.
 */
export const DATA_ERRORS = {
  /** The data spec or a sampler argument is malformed; `field` names the offending path. */
  INVALID_DATA_SPEC: { kind: 'input' },
  /** A sampler argument is out of range for the shard; `field` names the argument. */
  INVALID_ARGUMENT: { kind: 'permanent' },
  /** A corpus file named by the spec does not exist or cannot be read. */
  CORPUS_NOT_FOUND: { kind: 'input' },
  /** A path the spec names is a FIFO, a device, a directory or a symlink to one: refused before reading. */
  NOT_A_FILE: { kind: 'input' },
  /** A file is larger than the bound for reading it whole (corpus files, shards). */
  FILE_TOO_LARGE: { kind: 'input' },
  /** A corpus file exists but its content is not what the spec says (bad JSON line, odd shard length...). */
  BAD_CORPUS: { kind: 'input' },
  /** A cached preparation on disk is inconsistent with its header. */
  BAD_CACHE: { kind: 'permanent' },
  /** Training or loading the tokenizer failed. */
  TOKENIZER_FAILED: { kind: 'permanent' },
} as const satisfies Record<string, { kind: 'input' | 'transient' | 'permanent'; status?: number }>;
export type DataErrorCode = keyof typeof DATA_ERRORS;

/** Every error thrown by @isoflop/data. `field` is the dotted path of the bad input when there is one. */
export class DataError extends Error {
  readonly code: DataErrorCode;
  readonly field: string | undefined;

  constructor(code: DataErrorCode, message: string, options?: { field?: string; cause?: unknown }) {
    super(options?.field === undefined ? message : `${options.field}: ${message}`, {
      cause: options?.cause,
    });
    this.name = 'DataError';
    this.code = code;
    this.field = options?.field;
  }
}
