import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ShardDtype } from '../data-spec.js';
import { DataError } from '../errors.js';

/** The compiled thread body (the dist/ file, also when this module runs from src/ under a test runner). */
const THREAD_FILE = fileURLToPath(
  new URL('../../dist/internal/tokenize-worker.js', import.meta.url),
);

export interface TokenizeThreadData {
  readonly kind: 'gpt2' | 'bpe';
  /** The saved tokenizer (tokenizer.json) the thread loads. */
  readonly json: string;
  readonly dtype: ShardDtype;
}

export interface EncodeRequest {
  readonly id: number;
  readonly texts: readonly string[];
}

/** Every document's ids followed by end-of-text, back to back; `lengths[i]` counts document i's (with it). */
export interface EncodeReply {
  readonly tokens: Uint16Array | Uint32Array;
  readonly lengths: Uint32Array;
}

interface Pending {
  resolve(reply: EncodeReply): void;
  reject(error: unknown): void;
}

/**
 * Worker threads that tokenise chunks of documents, handed out in turn. Each `encode` resolves with its own
 * chunk's ids, so a caller awaiting them in submission order writes the corpus in order.
 */
export class TokenizePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: unknown;

  constructor(threads: number, data: TokenizeThreadData) {
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(THREAD_FILE, { workerData: data });
      worker.on('message', (reply: { id: number; error?: string } & EncodeReply) => {
        const pending = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (reply.error !== undefined) {
          pending?.reject(new DataError('TOKENIZER_FAILED', `tokenising failed: ${reply.error}`));
        } else {
          pending?.resolve({ tokens: reply.tokens, lengths: reply.lengths });
        }
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`tokenising thread exited with code ${code}`));
      });
      return worker;
    });
  }

  private fail(error: unknown): void {
    this.failure ??= new DataError(
      'TOKENIZER_FAILED',
      `tokenising thread failed: ${String(error)}`,
      {
        cause: error,
      },
    );
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
  }

  encode(texts: readonly string[]): Promise<EncodeReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId;
    this.nextId += 1;
    const worker = this.workers[id % this.workers.length] as Worker;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, texts } satisfies EncodeRequest);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new DataError('TOKENIZER_FAILED', 'the tokenising threads were closed');
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
