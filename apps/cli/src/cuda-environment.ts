import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { CUDA_ENV_MARKER, cudaProcessEnv } from '@isoflop/trainer';

/**
 * Runs this same command again in a child process that starts with the CUDA libraries on LD_LIBRARY_PATH
 * (the provider has no RUNPATH, and glibc reads the variable only at process start), so `--device cuda`
 * works without the user exporting anything. Returns false, doing nothing, when this process already has
 * that environment or the provider is not installed (then the device checks say what is missing).
 * Ctrl-C reaches the child through the terminal's process group; a SIGTERM sent to this process alone is
 * passed on. This process ends with the child's exit status.
 */
export async function rerunWithCudaEnvironment(): Promise<boolean> {
  if (process.env[CUDA_ENV_MARKER] === '1') return false;
  const extra = cudaProcessEnv();
  if (extra[CUDA_ENV_MARKER] === undefined) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...extra },
  });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  // The child handles Ctrl-C itself (it checkpoints); this process only waits for it.
  const ignoreInterrupt = (): void => undefined;
  process.on('SIGINT', ignoreInterrupt);
  process.on('SIGTERM', forward);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
      },
    );
    process.exitCode = code ?? 128 + (signal === null ? 0 : constants.signals[signal]);
  } finally {
    process.off('SIGINT', ignoreInterrupt);
    process.off('SIGTERM', forward);
  }
  return true;
}
