import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSpec } from './data-spec.js';
import { DataError } from './errors.js';
import {
  INDEX_FILE,
  openPreparedData,
  openVerifiedPreparedData,
  TOKENIZER_FILE,
  type PreparedData,
  type PreparedDataHeader,
} from './prepared-data.js';
import { DTYPE_BYTES } from './token-shard.js';

/** A server that serves prepared shards (`isoflop serve`), and the bearer token its data routes want. */
export interface DataServer {
  readonly url: string;
  readonly token?: string | undefined;
}

const HASH = /^[0-9a-f]{64}$/;

function fail(message: string, cause?: unknown): never {
  throw new DataError('BAD_CACHE', message, { cause });
}

async function request(
  server: DataServer,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (server.token !== undefined) headers.set('authorization', `Bearer ${server.token}`);
  const url = new URL(path, server.url).toString();
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers });
  } catch (error) {
    fail(`expected the data server at ${url} to answer, it cannot be reached`, error);
  }
  if (!response.ok && response.status !== 206) {
    fail(`expected ${url} to answer 200, it answered ${response.status}: ${await response.text()}`);
  }
  return response;
}

/**
 * Downloads one shard into `path`, continuing a partial download with a range request, and checks its
 * length and SHA-256 against the index before it is renamed into place: a tampered shard is refused.
 */
async function downloadShard(
  server: DataServer,
  hash: string,
  shard: { file: string; sha256: string },
  bytes: number,
  dir: string,
): Promise<void> {
  const final = join(dir, shard.file);
  const temp = `${final}.tmp`;
  let have = 0;
  try {
    have = Math.min(statSync(temp).size, bytes);
  } catch {
    have = 0;
  }
  const response = await request(server, `/api/data/${hash}/${shard.file}`, {
    headers: have > 0 ? { range: `bytes=${have}-` } : {},
  });
  // A server that ignores the range sends the whole file: start over.
  let at = response.status === 206 ? have : 0;
  const digest = createHash('sha256');
  if (at > 0) digest.update((await readFile(temp)).subarray(0, at));
  const fd = openSync(temp, at > 0 ? 'r+' : 'w');
  try {
    const reader = response.body?.getReader();
    for (let next = await reader?.read(); next?.done === false; next = await reader?.read()) {
      writeSync(fd, next.value, 0, next.value.length, at);
      digest.update(next.value);
      at += next.value.length;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (at !== bytes || digest.digest('hex') !== shard.sha256) {
    await rm(temp, { force: true });
    fail(
      `expected shard '${shard.file}' from the data server to be ${bytes} bytes with SHA-256 ${shard.sha256}; it is not, so it was refused`,
    );
  }
  renameSync(temp, final);
}

/**
 * The prepared entry for `spec` on a data server, downloaded into `<cacheDir>/data/<contentHash>/` (or found
 * there already): its index and tokenizer, then every shard, each checked against the index's length and
 * checksum. An interrupted download continues where it stopped. The corpus itself is never needed here.
 */
export async function fetchPreparedData(
  spec: DataSpec,
  server: DataServer,
  cacheDir: string,
): Promise<PreparedData> {
  const resolved = (await (
    await request(server, '/api/data/resolve', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: spec }),
    })
  ).json()) as { contentHash?: unknown };
  const hash = resolved.contentHash;
  if (typeof hash !== 'string' || !HASH.test(hash)) {
    fail(`expected a content hash from the data server, got ${JSON.stringify(hash)}`);
  }
  const finalDir = join(cacheDir, 'data', hash);
  const existing = await openVerifiedPreparedData(finalDir);
  if (existing !== undefined) return existing;
  // Absent, or a local copy that no longer checks out: fetch it again.
  await rm(finalDir, { recursive: true, force: true });

  const workDir = join(cacheDir, 'data', `.download-${hash}`);
  await mkdir(workDir, { recursive: true });
  const indexText = await (await request(server, `/api/data/${hash}/${INDEX_FILE}`)).text();
  const header = JSON.parse(indexText) as PreparedDataHeader;
  if (header.contentHash !== hash) {
    fail(`expected the index for ${hash} from the data server, it is for ${header.contentHash}`);
  }
  const tokenizer = await (await request(server, `/api/data/${hash}/${TOKENIZER_FILE}`)).text();
  if (createHash('sha256').update(tokenizer).digest('hex') !== header.tokenizer.hash) {
    fail(`expected the tokenizer for ${hash} from the data server to match its index; it does not`);
  }
  await writeFile(join(workDir, TOKENIZER_FILE), tokenizer);
  const width = DTYPE_BYTES[header.dtype];
  for (const shard of [...header.train.shards, ...header.val.shards]) {
    const done = await readFile(join(workDir, shard.file)).then(
      (bytes) => createHash('sha256').update(bytes).digest('hex') === shard.sha256,
      () => false,
    );
    if (!done) await downloadShard(server, hash, shard, shard.tokens * width, workDir);
  }
  await writeFile(join(workDir, INDEX_FILE), indexText);
  try {
    await rename(workDir, finalDir);
  } catch {
    // Another download finished first; its copy passed the same checks.
    await rm(workDir, { recursive: true, force: true });
  }
  return openPreparedData(finalDir);
}
