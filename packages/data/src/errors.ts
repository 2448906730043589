export type DataErrorCode =
  /** The data spec or a sampler argument is malformed; `field` names the offending path. */
  | 'INVALID_DATA_SPEC'
  /** A sampler argument is out of range for the shard; `field` names the argument. */
  | 'INVALID_ARGUMENT'
  /** A corpus file named by the spec does not exist or cannot be read. */
  | 'CORPUS_NOT_FOUND'
  /** A corpus file exists but its content is not what the spec says (bad JSON line, odd shard length...). */
  | 'BAD_CORPUS'
  /** A cached preparation on disk is inconsistent with its header. */
  | 'BAD_CACHE'
  /** Training or loading the tokenizer failed. */
  | 'TOKENIZER_FAILED';

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
