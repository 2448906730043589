/**
 * Upper bounds on a sweep spec. A spec reaches the planner from files and from the HTTP API, and planning
 * runs in the server's one event loop: every count the planner loops over, and every size it allocates
 * for, is bounded here so that no spec can stall it. The bounds sit far above any sweep a real study runs
 * (the paper's grid is 3 families x ~10 budgets x 18 sizes).
 */
export const SPEC_LIMITS = {
  /** Characters in the sweep name. */
  nameLength: 128,
  /** Entries of a budget list or range, of `sizes.count` and `sizes.shapes`, and of `seeds`. */
  listLength: 64,
  /** Runs a spec may expand to (families x budgets x sizes x seeds, before any size is dropped). */
  runs: 10_000,
  /** Compute budgets in FLOPs (1e30 is five orders of magnitude past the largest published run). */
  budgetFlops: 1e30,
  /** Parameter targets in `sizes.params`. */
  params: 1e15,
  /** Tokens per parameter in `sizes.tokensPerParam`. */
  tokensPerParam: 1e6,
  /** `shapeRule` layer counts: the shape search tries every count from minLayers to maxLayers. */
  layers: 1024,
  /** Widths: dModel, headDim and the SwiGLU hidden width. */
  width: 1 << 20,
  /** seqLen and batchSize. */
  sequence: 1 << 20,
  /** Held-out tokens per evaluation. */
  evalTokens: 1 << 30,
  /** The Prime sub-token base. */
  primeBase: 1 << 16,
  /** Vocabulary of pre-tokenized uint32 shards. */
  vocabSize: 2 ** 32,
  /** Characters of a corpus path or field name, and how many corpus paths. */
  pathLength: 4096,
  paths: 1024,
  /** Nesting depth of the parsed document (a spec is at most six levels deep). */
  depth: 32,
  /** Characters of spec text (the YAML parser's time grows with it; real specs are a few KB). */
  textLength: 256 * 1024,
} as const;

/**
 * Characters a name or path may not hold: C0/C1 controls (NUL, ANSI escape sequences), Unicode format
 * characters (bidirectional overrides that reorder what a terminal shows, zero-width characters) and
 * line or paragraph separators.
 */
export const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
