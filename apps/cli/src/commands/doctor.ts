import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { DEVICES, type Device } from '@isoflop/planner';
import {
  CUDA_PROVIDER_PIN,
  bindingVersion,
  findCudaLibraries,
  ortBinaryDir,
  probeDevice,
  sha256File,
  unresolvedLibraries,
} from '@isoflop/trainer';
import { existsSync } from 'node:fs';
import { runAction } from '../cli-action.js';
import { rerunWithCudaEnvironment } from '../cuda-environment.js';

interface DoctorOptions {
  device: Device;
  json?: boolean;
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description(
      'check that this host can train on a device: its libraries, then a one-node session',
    )
    .addOption(new Option('--device <device>', 'device to check').choices(DEVICES).default('cpu'))
    .option('--json', 'print {"device", "ok", "checks": [{"name", "ok", "detail"}]}')
    .addHelpText('after', '\nExit codes: 0 every check passed, 1 a check failed, 2 bad arguments.')
    .action(
      runAction(async (options: DoctorOptions) => {
        // The CUDA checks must see the library path a training process would start with.
        if (options.device === 'cuda' && (await rerunWithCudaEnvironment())) return;
        const checks = options.device === 'cuda' ? await cudaChecks() : [];
        if (checks.every((check) => check.ok) || options.device === 'cuda') {
          checks.push(await sessionCheck(options.device));
        }
        const ok = checks.every((check) => check.ok);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ device: options.device, ok, checks })}\n`);
        } else {
          for (const check of checks) {
            process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}\n`);
          }
        }
        process.exitCode = ok ? 0 : 1;
      }),
    );
}

async function sessionCheck(device: Device): Promise<Check> {
  try {
    await probeDevice(device);
    return { name: 'session', ok: true, detail: `a one-node graph ran on ${device}` };
  } catch (error) {
    return { name: 'session', ok: false, detail: (error as Error).message };
  }
}

async function cudaChecks(): Promise<Check[]> {
  const checks: Check[] = [];
  const platform = `${process.platform}/${process.arch}`;
  checks.push({
    name: 'platform',
    ok: platform === 'linux/x64',
    detail:
      platform === 'linux/x64' ? platform : `${platform}: the CUDA provider is linux/x64 only`,
  });
  const version = bindingVersion();
  checks.push({
    name: 'onnxruntime-node',
    ok: version === CUDA_PROVIDER_PIN.bindingVersion,
    detail:
      version === CUDA_PROVIDER_PIN.bindingVersion
        ? version
        : `${version}; the CUDA provider needs ${CUDA_PROVIDER_PIN.bindingVersion}`,
  });
  const dir = ortBinaryDir();
  for (const file of CUDA_PROVIDER_PIN.files) {
    const path = join(dir, file.name);
    if (!existsSync(path)) {
      checks.push({
        name: file.name,
        ok: false,
        detail: `not in ${dir}: run \`isoflop gpu setup cuda\``,
      });
      continue;
    }
    const sha256 = await sha256File(path);
    checks.push({
      name: file.name,
      ok: sha256 === file.sha256,
      detail:
        sha256 === file.sha256 ? `sha256 ${sha256}` : `sha256 ${sha256}, expected ${file.sha256}`,
    });
  }
  const libraries = findCudaLibraries();
  for (const [library, where] of libraries.found) {
    checks.push({ name: library, ok: true, detail: where });
  }
  for (const library of libraries.missing) {
    checks.push({
      name: library,
      ok: false,
      detail:
        'not found on LD_LIBRARY_PATH, in python3 NVIDIA wheels, /usr/local/cuda* or the loader cache',
    });
  }
  const provider = join(dir, 'libonnxruntime_providers_cuda.so');
  if (existsSync(provider)) {
    const unresolved = unresolvedLibraries(provider, process.env);
    checks.push({
      name: 'provider libraries (ldd)',
      ok: unresolved.length === 0,
      detail:
        unresolved.length === 0
          ? 'every library the CUDA provider needs resolves'
          : `the CUDA provider cannot load: missing ${unresolved.join(', ')}`,
    });
  }
  return checks;
}
