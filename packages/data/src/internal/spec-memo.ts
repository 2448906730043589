import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSpec } from '../data-spec.js';
import { sha256Hex } from '../text-tokenizer.js';

/**
 * `<cacheDir>/data-specs/<sha256 of the data spec>.json`: the content hash a data spec was last prepared to
 * on this machine. It lets a server answer "which entry is this spec?" for remote workers without reading
 * the corpus again (or when the corpus has since been moved off the machine).
 */
function memoPath(cacheDir: string, spec: DataSpec): string {
  return join(cacheDir, 'data-specs', `${sha256Hex(canonicalJson(spec))}.json`);
}

/** JSON with object keys sorted, so that the same spec built in another order has the same name. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export async function rememberPreparedSpec(
  cacheDir: string,
  spec: DataSpec,
  contentHash: string,
): Promise<void> {
  const path = memoPath(cacheDir, spec);
  await mkdir(join(cacheDir, 'data-specs'), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify({ contentHash }));
  await rename(temp, path);
}

export async function preparedSpecHash(
  cacheDir: string,
  spec: DataSpec,
): Promise<string | undefined> {
  const text = await readFile(memoPath(cacheDir, spec), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const { contentHash } = JSON.parse(text) as { contentHash?: unknown };
  return typeof contentHash === 'string' && /^[0-9a-f]{64}$/.test(contentHash)
    ? contentHash
    : undefined;
}
