import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ortBinaryDir } from './session-options.js';

/**
 * What the CUDA provider of ONNX Runtime 1.29 loads: its NEEDED entries (CUDA 13: the runtime, cuBLAS,
 * cuRAND and the driver's libcuda) and cuDNN 9, which it opens lazily on first use (reductions may).
 */
export const CUDA_RUNTIME_LIBRARIES = [
  'libcudart.so.13',
  'libcublas.so.13',
  'libcublasLt.so.13',
  'libcurand.so.10',
  'libcudnn.so.9',
  'libcuda.so.1',
] as const;

/** The provider libraries installed beside the binding, in load order. */
export const CUDA_PROVIDER_FILES = [
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
] as const;

/** Set in a process started with the CUDA library path, so it does not start itself again. */
export const CUDA_ENV_MARKER = 'ISOFLOP_CUDA_ENV';

export interface CudaLibrarySearch {
  /** Library name → the folder it was found in, or 'loader cache'. */
  found: Map<string, string>;
  /** Libraries found nowhere. */
  missing: string[];
  /** Folders to put on LD_LIBRARY_PATH (those of `found` that the loader cache does not cover). */
  libraryPath: string[];
}

/**
 * Folders that may hold CUDA 13 and cuDNN 9, most specific first: LD_LIBRARY_PATH as it is, pip's NVIDIA
 * wheels (as installed with PyTorch for CUDA 13) through `python3`, then /usr/local/cuda*.
 */
export function cudaCandidateDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = (env['LD_LIBRARY_PATH'] ?? '').split(':').filter((dir) => dir !== '');
  for (const root of pythonNvidiaRoots(env)) {
    dirs.push(join(root, 'cu13', 'lib'), join(root, 'cudnn', 'lib'));
    for (const entry of safeReaddir(root)) dirs.push(join(root, entry, 'lib'));
  }
  for (const entry of safeReaddir('/usr/local')
    .filter((name) => name.startsWith('cuda'))
    .sort()) {
    const base = join('/usr/local', entry);
    dirs.push(join(base, 'lib64'), join(base, 'targets', 'x86_64-linux', 'lib'));
  }
  return [...new Set(dirs)].filter((dir) => existsSync(dir));
}

/** Where `import nvidia` points, when python3 has pip's NVIDIA wheels; none otherwise. */
function pythonNvidiaRoots(env: NodeJS.ProcessEnv): string[] {
  try {
    const out = execFileSync(
      'python3',
      ['-c', 'import nvidia; print("\\n".join(nvidia.__path__))'],
      { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 },
    );
    return out.split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Library names the dynamic loader's cache (`ldconfig -p`) knows, e.g. the driver's libcuda.so.1. */
export function loaderCacheLibraries(): Set<string> {
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    try {
      const out = execFileSync(ldconfig, ['-p'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 64 * 1024 * 1024,
      });
      return new Set(
        out
          .split('\n')
          .map((line) => /^\s+(\S+)\s/.exec(line)?.[1])
          .filter((name): name is string => name !== undefined),
      );
    } catch {
      // try the next location
    }
  }
  return new Set();
}

/** Finds each library in the first candidate folder that holds it, else in the loader cache. */
export function resolveCudaLibraries(
  libraries: readonly string[],
  candidateDirs: readonly string[],
  loaderCache: ReadonlySet<string>,
): CudaLibrarySearch {
  const found = new Map<string, string>();
  const missing: string[] = [];
  const libraryPath: string[] = [];
  for (const library of libraries) {
    const dir = candidateDirs.find((candidate) => existsSync(join(candidate, library)));
    if (dir !== undefined) {
      found.set(library, dir);
      if (!libraryPath.includes(dir)) libraryPath.push(dir);
    } else if (loaderCache.has(library)) {
      found.set(library, 'loader cache');
    } else {
      missing.push(library);
    }
  }
  return { found, missing, libraryPath };
}

/** This host's CUDA 13 / cuDNN 9 libraries, as the CUDA provider needs them. */
export function findCudaLibraries(env: NodeJS.ProcessEnv = process.env): CudaLibrarySearch {
  return resolveCudaLibraries(
    CUDA_RUNTIME_LIBRARIES,
    cudaCandidateDirs(env),
    loaderCacheLibraries(),
  );
}

/** True when the CUDA provider's files sit beside the binding (`isoflop gpu setup cuda` put them there). */
export function cudaProviderInstalled(bindingDir: string = ortBinaryDir()): boolean {
  return CUDA_PROVIDER_FILES.every((file) => existsSync(join(bindingDir, file)));
}

/**
 * The environment a process that trains on CUDA must start with: the provider has no RUNPATH and glibc
 * reads LD_LIBRARY_PATH only at process start, so the folders of the CUDA libraries go in front of it
 * before the process exists. Empty when the provider is not installed (nothing could use it).
 */
export function cudaProcessEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (!cudaProviderInstalled()) return {};
  const { libraryPath } = findCudaLibraries(env);
  const existing = (env['LD_LIBRARY_PATH'] ?? '').split(':').filter((dir) => dir !== '');
  const path = [...new Set([...libraryPath, ...existing])];
  return {
    ...(path.length === 0 ? {} : { LD_LIBRARY_PATH: path.join(':') }),
    [CUDA_ENV_MARKER]: '1',
  };
}

/**
 * The libraries `ldd` cannot resolve for a shared object under `env` (its LD_LIBRARY_PATH): the CUDA
 * provider's JavaScript error never names them, ORT only logs the first.
 */
export function unresolvedLibraries(sharedObject: string, env: NodeJS.ProcessEnv): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [sharedObject], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // ldd exits non-zero when something is missing on some systems; its stdout still lists it.
    out = String((error as { stdout?: unknown }).stdout ?? '');
  }
  return out
    .split('\n')
    .map((line) => /^\s*(\S+)\s+=>\s+not found/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}
