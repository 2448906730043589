// The body of a tokenising thread: loads the preparation's tokenizer once, then encodes chunks of documents
// into ids, each document followed by end-of-text, in the shard dtype.
import { parentPort, workerData } from 'node:worker_threads';
import type { ShardDtype } from '../data-spec.js';
import type { TextTokenizer } from '../text-tokenizer.js';
import { gpt2Tokenizer } from './gpt2-tokenizer.js';
import { hfBpeTokenizer } from './hf-bpe-tokenizer.js';
import type { EncodeReply, EncodeRequest, TokenizeThreadData } from './tokenize-pool.js';

const data = workerData as TokenizeThreadData;
const tokenizer: TextTokenizer = data.kind === 'gpt2' ? gpt2Tokenizer() : hfBpeTokenizer(data.json);

async function encode(texts: readonly string[], dtype: ShardDtype): Promise<EncodeReply> {
  const encoded = await tokenizer.encode(texts);
  const total = encoded.reduce((sum, ids) => sum + ids.length + 1, 0);
  const tokens = dtype === 'uint16' ? new Uint16Array(total) : new Uint32Array(total);
  const lengths = new Uint32Array(encoded.length);
  let at = 0;
  encoded.forEach((ids, index) => {
    tokens.set(ids, at);
    tokens[at + ids.length] = tokenizer.eotId;
    at += ids.length + 1;
    lengths[index] = ids.length + 1;
  });
  return { tokens, lengths };
}

parentPort?.on('message', (request: EncodeRequest) => {
  encode(request.texts, data.dtype).then(
    (reply) =>
      parentPort?.postMessage({ id: request.id, ...reply }, [
        reply.tokens.buffer as ArrayBuffer,
        reply.lengths.buffer as ArrayBuffer,
      ]),
    (error: unknown) => parentPort?.postMessage({ id: request.id, error: String(error) }),
  );
});
