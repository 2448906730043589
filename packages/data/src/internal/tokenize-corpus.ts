import type { TextCorpusSpec } from '../data-spec.js';
import type { CorpusFile } from './corpus-files.js';
import { readDocuments } from './read-documents.js';
import type { ShardWriter, SplitName } from './shard-writer.js';
import { TokenizePool, type EncodeReply, type TokenizeThreadData } from './tokenize-pool.js';

/** Documents go to a thread in chunks of about this many characters: big enough to amortise the message. */
const CHUNK_CHARS = 1 << 20;

export interface TokenizeCounts {
  /** Raw bytes read, documents and tokens done. */
  bytes: number;
  documents: number;
  tokens: number;
}

interface Piece {
  readonly split: SplitName;
  readonly document: number;
  readonly skip: number;
}

/**
 * Streams the corpus through `threads` tokenising threads into the two splits' shard writers, in corpus order.
 * Documents before a writer's resume point are read but not tokenised. At most `2 × threads` chunks are in
 * flight, so memory stays bounded by the chunk size and the thread count whatever the corpus size.
 */
export async function tokenizeCorpus(
  corpus: TextCorpusSpec,
  files: readonly CorpusFile[],
  isVal: Uint8Array,
  writers: Readonly<Record<SplitName, ShardWriter>>,
  thread: TokenizeThreadData & { readonly threads: number },
  progress: (counts: TokenizeCounts) => void,
): Promise<void> {
  const counts: TokenizeCounts = { bytes: 0, documents: 0, tokens: 0 };
  const resume = { train: writers.train.resume, val: writers.val.resume };
  const ordinal = { train: 0, val: 0 };
  const pool = new TokenizePool(thread.threads, thread);
  const inFlight: { pieces: Piece[]; reply: Promise<EncodeReply> }[] = [];
  let texts: string[] = [];
  let pieces: Piece[] = [];
  let chars = 0;

  const writeOldest = async (): Promise<void> => {
    const oldest = inFlight.shift();
    if (oldest === undefined) return;
    const { tokens, lengths } = await oldest.reply;
    let at = 0;
    oldest.pieces.forEach((piece, index) => {
      const length = lengths[index] ?? 0;
      writers[piece.split].append(piece.document, tokens.subarray(at, at + length), piece.skip);
      counts.tokens += length - piece.skip;
      at += length;
    });
    counts.documents += oldest.pieces.length;
    progress(counts);
  };
  const submit = async (): Promise<void> => {
    if (texts.length === 0) return;
    inFlight.push({ pieces, reply: pool.encode(texts) });
    texts = [];
    pieces = [];
    chars = 0;
    while (inFlight.length >= 2 * thread.threads) await writeOldest();
  };

  try {
    let index = 0;
    const documents = readDocuments(corpus, files, {
      chunk: (bytes) => {
        counts.bytes += bytes.length;
      },
    });
    for await (const text of documents) {
      const split: SplitName = isVal[index] === 1 ? 'val' : 'train';
      index += 1;
      const document = ordinal[split];
      ordinal[split] += 1;
      const from = resume[split];
      if (document < from.document) {
        counts.documents += 1;
        continue;
      }
      texts.push(text);
      pieces.push({ split, document, skip: document === from.document ? from.skip : 0 });
      chars += text.length;
      if (chars >= CHUNK_CHARS) await submit();
    }
    await submit();
    while (inFlight.length > 0) await writeOldest();
  } finally {
    // Rejections of chunks still in flight are the failure already being thrown; keep them unhandled-free.
    for (const { reply } of inFlight) reply.catch(() => undefined);
    await pool.close();
  }
}
