import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PACK = join(root, 'scripts/gpu/cuda-provider-pack.sh');
let scratch: string;
let binding: string;
const libraries = {
  // Random bytes do not compress: the stream is as long as the files, so it splits into several parts.
  'libonnxruntime_providers_cuda.so': randomBytes(200_000),
  'libonnxruntime_providers_shared.so': Buffer.from('shared\n'),
};

function bash(script: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('bash', [script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, stderr: result.stderr };
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'isoflop-cuda-pack-'));
  binding = join(scratch, 'binding');
  await mkdir(binding);
  for (const [name, data] of Object.entries(libraries)) await writeFile(join(binding, name), data);
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('cuda-provider-pack.sh / cuda-provider-unpack.sh', () => {
  it('ships the provider in parts no larger than the limit and reassembles it exactly', async () => {
    const out = join(scratch, 'pack');
    const packed = bash(PACK, [out], {
      CUDA_PACK_BINDING_DIR: binding,
      CUDA_PACK_PART_SIZE: '64K',
    });
    expect(packed.code, packed.stderr).toBe(0);
    const parts = (await readdir(out)).filter((name) => name.startsWith('provider.tar.gz.part-'));
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts)
      expect((await stat(join(out, part))).size).toBeLessThanOrEqual(65_536);

    const dest = join(scratch, 'dest');
    await mkdir(dest);
    const unpacked = bash(join(out, 'cuda-provider-unpack.sh'), [dest]);
    expect(unpacked.code, unpacked.stderr).toBe(0);
    expect((await readdir(dest)).sort()).toEqual(Object.keys(libraries).sort());
    for (const [name, data] of Object.entries(libraries)) {
      expect((await readFile(join(dest, name))).equals(data)).toBe(true);
    }
  });

  it('refuses a damaged or missing part, leaving the destination as it was', async () => {
    const out = join(scratch, 'damaged');
    expect(
      bash(PACK, [out], { CUDA_PACK_BINDING_DIR: binding, CUDA_PACK_PART_SIZE: '64K' }).code,
    ).toBe(0);
    const part = join(out, 'provider.tar.gz.part-01');
    const bytes = await readFile(part);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    await writeFile(part, bytes);
    const dest = join(scratch, 'dest-damaged');
    await mkdir(dest);
    const damaged = bash(join(out, 'cuda-provider-unpack.sh'), [dest]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/a part is missing or damaged/);
    await rm(part);
    expect(bash(join(out, 'cuda-provider-unpack.sh'), [dest]).code).toBe(1);
    expect(await readdir(dest)).toEqual([]);
  });

  it('says to run the setup first when the provider is not installed (exit 2)', async () => {
    const empty = join(scratch, 'empty-binding');
    await mkdir(empty);
    const result = bash(PACK, [join(scratch, 'none')], { CUDA_PACK_BINDING_DIR: empty });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/run `isoflop gpu setup cuda` first/);
  });
});
