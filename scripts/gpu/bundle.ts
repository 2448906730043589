// Bundles the gpu-check entry into one CommonJS file for a host without npm: every @isoflop package is
// taken from its TypeScript sources (no build needed), onnxruntime-node stays external (it is shipped
// beside the bundle by pack.sh, with its native binaries).
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export const GPU_CHECK_ENTRY = join(root, 'apps', 'gpu-check', 'src', 'main.ts');

/** Writes the bundle to `outfile`; resolves when it is written. */
export async function bundleGpuCheck(outfile: string): Promise<void> {
  const alias: Record<string, string> = {};
  for (const name of readdirSync(join(root, 'packages'))) {
    alias[`@isoflop/${name}`] = join(root, 'packages', name, 'src', 'index.ts');
  }
  await build({
    entryPoints: [GPU_CHECK_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The app imports the trainer's public entry, which reaches the data package and its native HF
    // tokenizers; the data package declares `sideEffects: false`, so its unused modules and their
    // `require('tokenizers')` are left out (tests/gpu/gpu-check.test.ts checks the bundle's requires).
    external: ['onnxruntime-node', 'tokenizers'],
    alias,
    // CommonJS has no import.meta: modules that resolve paths from it (the CUDA library check) get the
    // bundle's own URL instead.
    define: { 'import.meta.url': 'bundleFileUrl' },
    banner: { js: "const bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outfile = process.argv[2];
  if (outfile === undefined) {
    process.stderr.write('usage: tsx scripts/gpu/bundle.ts OUTFILE\n');
    process.exit(2);
  }
  await bundleGpuCheck(outfile);
}
