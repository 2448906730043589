import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { preparedSpecHash, type DataSpec } from '@isoflop/data';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { ServerError } from '../../errors.js';
import { errorResponses } from '../api-schemas.js';

/** Only what a preparation writes can be asked for: its index, its tokenizer and its shards. */
const FILE = /^(index\.json|tokenizer\.json|(train|val)-\d{5}\.bin)$/;
const HASH = /^[0-9a-f]{64}$/;

function byteRange(header: string | undefined, size: number): [number, number] | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!match) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  const start = from === '' ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === '' || to === '' ? size - 1 : Math.min(Number(to), size - 1);
  return [start, end];
}

/**
 * Prepared token shards for workers on other machines, by content hash: which entry a data spec was
 * prepared to here, and the entry's files (range requests, so a broken download continues). Behind the
 * bearer token when one is set, like the mutating routes: the shards are the corpus.
 */
export function dataRoutes(cacheDir: string, guard: onRequestHookHandler[]) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post<{ Body: { data: DataSpec } }>(
      '/api/data/resolve',
      {
        onRequest: guard,
        schema: {
          summary:
            'The content hash of the prepared shards of a data spec (prepared on this machine)',
          tags: ['data'],
          body: {
            type: 'object',
            required: ['data'],
            properties: { data: { type: 'object', additionalProperties: true } },
          },
          response: {
            200: {
              type: 'object',
              properties: { contentHash: { type: 'string' } },
              required: ['contentHash'],
            },
            ...errorResponses(404),
          },
        },
      },
      async (request) => {
        const contentHash = await preparedSpecHash(cacheDir, request.body.data);
        const done =
          contentHash !== undefined &&
          (await stat(join(cacheDir, 'data', contentHash, 'index.json')).then(
            () => true,
            () => false,
          ));
        if (!done) {
          throw new ServerError(
            'DATA_NOT_FOUND',
            'data: this spec has not been prepared on the server; run `isoflop data prepare SPEC --cache DIR` there with the cache the server serves',
          );
        }
        return { contentHash };
      },
    );

    app.get<{ Params: { hash: string; file: string } }>(
      '/api/data/:hash/:file',
      {
        onRequest: guard,
        schema: {
          summary:
            "A prepared entry's index.json, tokenizer.json or shard (range requests accepted)",
          tags: ['data'],
          params: {
            type: 'object',
            properties: { hash: { type: 'string' }, file: { type: 'string' } },
            required: ['hash', 'file'],
          },
        },
      },
      async (request, reply) => {
        const { hash, file } = request.params;
        const dir = join(cacheDir, 'data', hash);
        const finished =
          HASH.test(hash) &&
          FILE.test(file) &&
          (await stat(join(dir, 'index.json')).then(
            () => true,
            () => false,
          ));
        const info = finished ? await stat(join(dir, file)).catch(() => undefined) : undefined;
        if (info === undefined) {
          throw new ServerError('DATA_NOT_FOUND', `data: no prepared file '${file}' for '${hash}'`);
        }
        const range = byteRange(request.headers.range, info.size);
        void reply
          .header('accept-ranges', 'bytes')
          .type(file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        if (range === undefined) {
          void reply.header('content-length', info.size);
          return reply.send(createReadStream(join(dir, file)));
        }
        const [start, end] = range;
        if (start >= info.size || start > end) {
          return reply.status(416).header('content-range', `bytes */${info.size}`).send();
        }
        return reply
          .status(206)
          .header('content-range', `bytes ${start}-${end}/${info.size}`)
          .header('content-length', end - start + 1)
          .send(createReadStream(join(dir, file), { start, end }));
      },
    );
  };
}
