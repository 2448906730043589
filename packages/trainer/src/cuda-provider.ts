import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CudaSetupError } from './errors.js';
import {
  CUDA_PROVIDER_FILES,
  findCudaLibraries,
  type CudaLibrarySearch,
} from './cuda-libraries.js';
import { ortBinaryDir } from './session-options.js';

const run = promisify(execFile);

/** One provider file in the tarball, with the hash it must have. */
export interface PinnedFile {
  /** Path inside the tarball. */
  member: string;
  /** File name beside the binding. */
  name: (typeof CUDA_PROVIDER_FILES)[number];
  sha256: string;
}

/** Where the CUDA provider comes from and what it must hash to. */
export interface CudaProviderPin {
  /** npm package spec fetched with `npm pack`. */
  packageSpec: string;
  /** The tarball's npm integrity (sha512, base64). */
  integrity: string;
  /** onnxruntime-node version built from the same commit as the provider. */
  bindingVersion: string;
  files: readonly PinnedFile[];
}

/**
 * ONNX Runtime 1.29.0's CUDA provider (CUDA 13, cuDNN 9) as the npm registry carries it: a Unity packaging of
 * the official nuget files (MIT). onnxruntime-node 1.29.0 is the same build (commit 2e2543fbe9); no provider
 * for 1.30 or later is on the registry. Its TensorRT library is left out (it needs TensorRT).
 */
export const CUDA_PROVIDER_PIN: CudaProviderPin = {
  packageSpec: 'com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9',
  integrity:
    'sha512-FopIhNE/Ng+v2X65wVc9clPCBCvhvA53Hxo2U0Kf5fGdVsC7iCA+mZ0KLWggcQAj7TIZ6pNidR4AC10g74Xo6w==',
  bindingVersion: '1.29.0',
  files: [
    {
      member: 'package/Plugins/Linux/x64/libonnxruntime_providers_shared.so',
      name: 'libonnxruntime_providers_shared.so',
      sha256: 'c6a12593396095f5670160e284c35d1700b7708cf3037b7042e2a5200ccae772',
    },
    {
      member: 'package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so',
      name: 'libonnxruntime_providers_cuda.so',
      sha256: '56cf3254b118ad837ccc4ed8f6d1b23504bbf7ef91b34cbc0b289cb7f10b3037',
    },
  ],
};

export interface InstallCudaProviderOptions {
  /** A local copy of the package tarball (e.g. reassembled from a pack); default: `npm pack` from the registry. */
  tarball?: string;
  /** Default: `CUDA_PROVIDER_PIN`. */
  pin?: CudaProviderPin;
  /** Default: onnxruntime-node's linux/x64 binary folder. */
  bindingDir?: string;
  log?: (message: string) => void;
}

export interface CudaProviderInstall {
  bindingDir: string;
  /** Installed files with their sha256. */
  files: { name: string; sha256: string }[];
  /** The CUDA 13 libraries found on this host (the provider needs them at run time). */
  libraries: CudaLibrarySearch;
}

/** The installed onnxruntime-node's version. */
export function bindingVersion(): string {
  const require = createRequire(import.meta.url);
  const file = require.resolve('onnxruntime-node/package.json');
  return (require(file) as { version: string }).version;
}

export async function sha256File(path: string): Promise<string> {
  return hashFile(path, 'sha256', 'hex');
}

async function hashFile(
  path: string,
  algorithm: string,
  encoding: 'hex' | 'base64',
): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest(encoding);
}

/**
 * Fetches the pinned package (or takes a local tarball), checks its sha512 integrity, extracts the two
 * provider libraries, checks their sha256 and only then moves them beside the binding. Any failure leaves
 * the binding folder as it was.
 */
export async function installCudaProvider(
  options: InstallCudaProviderOptions = {},
): Promise<CudaProviderInstall> {
  const pin = options.pin ?? CUDA_PROVIDER_PIN;
  const log = options.log ?? ((): void => undefined);
  if (options.tarball !== undefined && !existsSync(options.tarball)) {
    throw new CudaSetupError('NO_SUCH_FILE', `--tarball: no file ${options.tarball}`);
  }
  if (
    options.bindingDir === undefined &&
    (process.platform !== 'linux' || process.arch !== 'x64')
  ) {
    throw new CudaSetupError(
      'UNSUPPORTED_PLATFORM',
      `the CUDA provider is built for linux/x64; this is ${process.platform}/${process.arch}`,
    );
  }
  const version = bindingVersion();
  if (version !== pin.bindingVersion) {
    throw new CudaSetupError(
      'BINDING_VERSION',
      `onnxruntime-node is ${version}; the CUDA provider of ${pin.packageSpec} is built for ${pin.bindingVersion} ` +
        `(install onnxruntime-node@${pin.bindingVersion})`,
    );
  }
  const bindingDir = options.bindingDir ?? ortBinaryDir();
  const work = await mkdtemp(join(bindingDir, '.cuda-setup-'));
  try {
    const tarball = options.tarball ?? (await npmPack(pin.packageSpec, work, log));
    const integrity = `sha512-${await hashFile(tarball, 'sha512', 'base64')}`;
    if (integrity !== pin.integrity) {
      throw new CudaSetupError(
        'INTEGRITY_MISMATCH',
        `${tarball}: integrity ${integrity}, expected ${pin.integrity} (${pin.packageSpec})`,
      );
    }
    log(`${pin.packageSpec}: tarball integrity checked`);
    const extracted = join(work, 'x');
    await mkdir(extracted);
    try {
      await run('tar', ['-xzf', tarball, '-C', extracted, ...pin.files.map((f) => f.member)]);
    } catch (error) {
      throw new CudaSetupError(
        'BAD_TARBALL',
        `${tarball}: cannot extract ${pin.files.map((f) => f.member).join(', ')}: ${firstLine(error)}`,
        { cause: error },
      );
    }
    const files: { name: string; sha256: string }[] = [];
    for (const file of pin.files) {
      const path = join(extracted, file.member);
      const sha256 = await sha256File(path);
      if (sha256 !== file.sha256) {
        throw new CudaSetupError(
          'BAD_TARBALL',
          `${file.member}: sha256 ${sha256}, expected ${file.sha256}`,
        );
      }
      await chmod(path, 0o755);
      files.push({ name: file.name, sha256 });
    }
    // Every file checked: move them in (renames within one folder; the shared library first).
    for (const file of pin.files) {
      await rename(join(extracted, file.member), join(bindingDir, file.name));
      log(`installed ${join(bindingDir, file.name)}`);
    }
    return { bindingDir, files, libraries: findCudaLibraries() };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `npm pack SPEC`: the registry's tarball through npm itself (its registry, proxy and cache settings). */
async function npmPack(spec: string, dir: string, log: (message: string) => void): Promise<string> {
  log(`fetching ${spec} from the npm registry (about 100 MB)`);
  try {
    const { stdout } = await run(
      'npm',
      ['pack', spec, '--json', '--ignore-scripts', '--pack-destination', dir],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
    );
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    if (packed === undefined) throw new Error('npm pack printed no file');
    return join(dir, packed.filename);
  } catch (error) {
    throw new CudaSetupError('FETCH_FAILED', `npm pack ${spec}: ${firstLine(error)}`, {
      cause: error,
    });
  }
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text =
    typeof stderr === 'string' && stderr.trim() !== ''
      ? stderr
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('npm warn'))
      .pop() ?? text
  );
}
