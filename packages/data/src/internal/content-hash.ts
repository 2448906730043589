import { createHash } from 'node:crypto';

/**
 * SHA-256 over a JSON descriptor (format version, tokenizer spec, split rule, library versions) and then
 * every source file's bytes, each preceded by its length so that file boundaries count. Paths are left
 * out on purpose: the same corpus on another machine, at another path, maps to the same cache entry.
 */
export function contentHash(descriptor: unknown, sources: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  const head = Buffer.from(JSON.stringify(descriptor), 'utf8');
  const length = Buffer.alloc(8);
  for (const part of [head, ...sources]) {
    length.writeBigUInt64LE(BigInt(part.byteLength));
    hash.update(length).update(part);
  }
  return hash.digest('hex');
}
