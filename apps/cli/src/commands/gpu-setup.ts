import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CUDA_PROVIDER_PIN, installCudaProvider } from '@isoflop/trainer';
import { badInput, runAction } from '../cli-action.js';

interface SetupOptions {
  tarball?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const gpu = program.command('gpu').description('set up GPU execution providers');
  gpu
    .command('setup')
    .description(
      `install an execution provider beside onnxruntime-node: cuda fetches ${CUDA_PROVIDER_PIN.packageSpec} ` +
        `with npm pack, checks its integrity and the sha256 of both libraries, and installs them`,
    )
    .argument('<provider>', 'cuda')
    .option(
      '--tarball <file>',
      'use this copy of the package tarball instead of the registry (e.g. reassembled by scripts/gpu/cuda-provider-unpack.sh)',
    )
    .option('--json', 'print the result as one JSON object')
    .addHelpText(
      'after',
      `
Needs onnxruntime-node ${CUDA_PROVIDER_PIN.bindingVersion} (the provider's build). At run time the provider needs
CUDA 13 (libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10), cuDNN 9 and the driver's
libcuda.so.1; they are looked for on LD_LIBRARY_PATH, in pip's NVIDIA wheels (python3), /usr/local/cuda*
and the loader cache. \`isoflop doctor --device cuda\` checks them all.
Exit codes: 0 installed, 2 bad arguments, 1 failure (nothing installed).`,
    )
    .action(
      runAction(
        async (provider: string, options: SetupOptions) => {
          if (provider !== 'cuda') badInput(`provider: expected cuda, got '${provider}'`);
          const log = (message: string): void => void process.stderr.write(`${message}\n`);
          const result = await installCudaProvider({
            ...(options.tarball === undefined ? {} : { tarball: resolve(options.tarball) }),
            log,
          });
          const libraries = Object.fromEntries(result.libraries.found);
          if (options.json) {
            process.stdout.write(
              `${JSON.stringify({
                bindingDir: result.bindingDir,
                files: result.files,
                libraries,
                missing: result.libraries.missing,
                libraryPath: result.libraries.libraryPath,
              })}\n`,
            );
            return;
          }
          for (const [library, where] of result.libraries.found) {
            process.stdout.write(`found ${library} in ${where}\n`);
          }
          process.stdout.write(
            result.libraries.missing.length === 0
              ? 'CUDA provider installed; `isoflop doctor --device cuda` runs a session on the GPU\n'
              : `CUDA provider installed, but not found on this host: ${result.libraries.missing.join(', ')} ` +
                  '(install CUDA 13 and cuDNN 9, e.g. with PyTorch for CUDA 13)\n',
          );
        },
        { badInputCodes: ['NO_SUCH_FILE'] },
      ),
    );
}
