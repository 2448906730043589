import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CUDA_PROVIDER_PIN,
  CudaSetupError,
  bindingVersion,
  installCudaProvider,
  ortBinaryDir,
  resolveCudaLibraries,
  unresolvedLibraries,
  type CudaProviderPin,
} from '@isoflop/trainer';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'apps/cli/bin/isoflop.js');
let scratch: string;
/** A tarball with the registry package's layout, and the pin that matches it. */
let tarball: string;
let pin: CudaProviderPin;
const contents = {
  'libonnxruntime_providers_shared.so': Buffer.from('shared provider stand-in\n'),
  'libonnxruntime_providers_cuda.so': Buffer.alloc(300_000, 7),
};

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const integrityOf = async (file: string): Promise<string> =>
  `sha512-${createHash('sha512')
    .update(await readFile(file))
    .digest('base64')}`;

async function failure(promise: Promise<unknown>): Promise<CudaSetupError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CudaSetupError);
  return error as CudaSetupError;
}

async function bindingDir(name: string): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'isoflop-cuda-setup-'));
  const plugins = join(scratch, 'pkg', 'package', 'Plugins', 'Linux', 'x64');
  await mkdir(plugins, { recursive: true });
  for (const [name, data] of Object.entries(contents)) await writeFile(join(plugins, name), data);
  await writeFile(join(scratch, 'pkg', 'package', 'package.json'), '{"name":"stand-in"}');
  tarball = join(scratch, 'stand-in-0.4.9.tgz');
  execFileSync('tar', ['-czf', tarball, '-C', join(scratch, 'pkg'), 'package']);
  pin = {
    ...CUDA_PROVIDER_PIN,
    integrity: await integrityOf(tarball),
    bindingVersion: bindingVersion(),
    files: CUDA_PROVIDER_PIN.files.map((file) => ({
      ...file,
      sha256: sha256(contents[file.name]),
    })),
  };
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('installCudaProvider', () => {
  it('pins the registry package of ONNX Runtime 1.29.0 and both libraries by hash', () => {
    expect(CUDA_PROVIDER_PIN.packageSpec).toBe('com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9');
    expect(CUDA_PROVIDER_PIN.bindingVersion).toBe('1.29.0');
    expect(CUDA_PROVIDER_PIN.integrity).toMatch(/^sha512-FopIhNE\/Ng\+v2X65/);
    expect(CUDA_PROVIDER_PIN.files.map((f) => [f.member, f.sha256.slice(0, 12)])).toEqual([
      ['package/Plugins/Linux/x64/libonnxruntime_providers_shared.so', 'c6a125933960'],
      ['package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so', '56cf3254b118'],
    ]);
  });

  it('checks the tarball and both files, then installs them beside the binding', async () => {
    const dir = await bindingDir('good');
    const result = await installCudaProvider({ tarball, pin, bindingDir: dir });
    expect(result.files.map((f) => f.name)).toEqual([
      'libonnxruntime_providers_shared.so',
      'libonnxruntime_providers_cuda.so',
    ]);
    for (const [name, data] of Object.entries(contents)) {
      expect((await readFile(join(dir, name))).equals(data)).toBe(true);
    }
    // Only the two files: no TensorRT library, no leftover work folder.
    expect((await readdir(dir)).sort()).toEqual(Object.keys(contents).sort());
  });

  it('refuses a tarball whose integrity is not the pinned one, installing nothing', async () => {
    const dir = await bindingDir('tampered');
    const error = await failure(
      installCudaProvider({
        tarball,
        pin: { ...pin, integrity: CUDA_PROVIDER_PIN.integrity },
        bindingDir: dir,
      }),
    );
    expect(error.code).toBe('INTEGRITY_MISMATCH');
    expect(error.message).toContain(`expected ${CUDA_PROVIDER_PIN.integrity}`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a library whose sha256 is not the pinned one, installing neither', async () => {
    const dir = await bindingDir('bad-file');
    const files = pin.files.map((file) =>
      file.name === 'libonnxruntime_providers_cuda.so'
        ? { ...file, sha256: CUDA_PROVIDER_PIN.files[1]!.sha256 }
        : file,
    );
    const error = await failure(
      installCudaProvider({ tarball, pin: { ...pin, files }, bindingDir: dir }),
    );
    expect(error.code).toBe('BAD_TARBALL');
    expect(error.message).toMatch(
      /libonnxruntime_providers_cuda\.so: sha256 [0-9a-f]{64}, expected 56cf3254b118/,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a tarball without the provider files, a missing tarball, another binding version', async () => {
    const dir = await bindingDir('other');
    const empty = join(scratch, 'empty.tgz');
    execFileSync('tar', ['-czf', empty, '-C', join(scratch, 'pkg'), 'package/package.json']);
    const missing = await failure(
      installCudaProvider({
        tarball: empty,
        pin: { ...pin, integrity: await integrityOf(empty) },
        bindingDir: dir,
      }),
    );
    expect(missing.code).toBe('BAD_TARBALL');
    expect(missing.message).toMatch(/cannot extract package\/Plugins\/Linux\/x64\//);

    const noFile = await failure(
      installCudaProvider({ tarball: join(scratch, 'nope.tgz'), pin, bindingDir: dir }),
    );
    expect(noFile.code).toBe('NO_SUCH_FILE');

    const version = await failure(
      installCudaProvider({ tarball, pin: { ...pin, bindingVersion: '0.0.1' }, bindingDir: dir }),
    );
    expect(version.code).toBe('BINDING_VERSION');
    expect(version.message).toMatch(/built for 0\.0\.1 \(install onnxruntime-node@0\.0\.1\)/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('says FETCH_FAILED with npm’s reason when npm pack cannot fetch the package', async () => {
    const dir = await bindingDir('fetch');
    const error = await failure(
      installCudaProvider({
        pin: { ...pin, packageSpec: `file:${join(scratch, 'no-such-package')}` },
        bindingDir: dir,
      }),
    );
    expect(error.code).toBe('FETCH_FAILED');
    expect(error.message).toMatch(/^npm pack file:/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('CUDA library search', () => {
  it('takes each library from the first folder holding it, else the loader cache, else names it', async () => {
    const first = await bindingDir('cu13/lib');
    const second = await bindingDir('cudnn/lib');
    await writeFile(join(first, 'libcudart.so.13'), '');
    await writeFile(join(second, 'libcudart.so.13'), '');
    await writeFile(join(second, 'libcudnn.so.9'), '');
    const search = resolveCudaLibraries(
      ['libcudart.so.13', 'libcudnn.so.9', 'libc.so.6', 'libcublas.so.13'],
      [first, second],
      new Set(['libc.so.6']),
    );
    expect(Object.fromEntries(search.found)).toEqual({
      'libcudart.so.13': first,
      'libcudnn.so.9': second,
      'libc.so.6': 'loader cache',
    });
    expect(search.missing).toEqual(['libcublas.so.13']);
    expect(search.libraryPath).toEqual([first, second]);
  });

  it('names the libraries a shared object cannot load (ldd), as the doctor reports them', async () => {
    // The binding alone, away from libonnxruntime.so.1 that its RUNPATH ($ORIGIN) finds.
    const alone = await bindingDir('binding-alone');
    const copy = join(alone, 'onnxruntime_binding.node');
    await copyFile(join(ortBinaryDir(), 'onnxruntime_binding.node'), copy);
    expect(unresolvedLibraries(copy, { PATH: process.env['PATH'] })).toEqual([
      'libonnxruntime.so.1',
    ]);
    expect(
      unresolvedLibraries(copy, { PATH: process.env['PATH'], LD_LIBRARY_PATH: ortBinaryDir() }),
    ).toEqual([]);
  });
});

describe('isoflop doctor and gpu setup', () => {
  const isoflop = (...args: string[]) => {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: scratch, encoding: 'utf8' });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('doctor --device cuda names what is missing and fails; --device cpu runs a session', () => {
    const cuda = isoflop('doctor', '--device', 'cuda', '--json');
    expect(cuda.code, cuda.stderr).toBe(1);
    const report = JSON.parse(cuda.stdout) as {
      ok: boolean;
      checks: { name: string; ok: boolean; detail: string }[];
    };
    expect(report.ok).toBe(false);
    const byName = new Map(report.checks.map((check) => [check.name, check]));
    // No GPU is on this machine: at least the driver's libcuda.so.1 is missing, and the session fails.
    expect(byName.get('libcuda.so.1')?.ok).toBe(false);
    expect(byName.get('session')?.ok).toBe(false);
    expect(byName.get('session')?.detail).toMatch(/^device cuda: /);

    const cpu = isoflop('doctor', '--json');
    expect(cpu.code, cpu.stderr).toBe(0);
    expect(JSON.parse(cpu.stdout)).toEqual({
      device: 'cpu',
      ok: true,
      checks: [{ name: 'session', ok: true, detail: 'a one-node graph ran on cpu' }],
    });
  });

  it('gpu setup: exit 2 for an unknown provider or a missing tarball', () => {
    const provider = isoflop('gpu', 'setup', 'rocm');
    expect(provider.code).toBe(2);
    expect(provider.stderr).toMatch(/provider: expected cuda, got 'rocm'/);
    const noTarball = isoflop('gpu', 'setup', 'cuda', '--tarball', 'missing.tgz');
    expect(noTarball.code).toBe(2);
    expect(noTarball.stderr).toMatch(/--tarball: no file .*missing\.tgz/);
  });
});
