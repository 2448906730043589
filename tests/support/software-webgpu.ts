import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const dir = join(root, '.cache', 'software-vulkan');

/**
 * The environment that lets a child process's onnxruntime-node run its WebGPU provider on Mesa's lavapipe
 * (a CPU Vulkan driver) as provisioned by scripts/software-vulkan.sh: the driver's ICD file, its newer
 * libdrm, and a runtime folder Dawn asks for. Only a child can use it: the dynamic linker reads
 * LD_LIBRARY_PATH at start. Undefined, with the reason, where it was not provisioned.
 */
export function softwareWebgpuEnv(): { env: NodeJS.ProcessEnv } | { reason: string } {
  const icd = join(dir, 'icd.json');
  if (!existsSync(icd)) {
    return { reason: `no software Vulkan driver at ${icd}: run bash scripts/software-vulkan.sh` };
  }
  const lib = join(dir, 'root', 'usr', 'lib', 'x86_64-linux-gnu');
  const inherited = process.env['LD_LIBRARY_PATH'];
  return {
    env: {
      ...process.env,
      VK_DRIVER_FILES: icd,
      LD_LIBRARY_PATH: inherited ? `${lib}:${inherited}` : lib,
      XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'isoflop-xdg-')),
    },
  };
}

/** CI sets ISOFLOP_REQUIRE_WEBGPU=1: there a missing driver fails the WebGPU tests instead of skipping them. */
export const WEBGPU_REQUIRED = process.env['ISOFLOP_REQUIRE_WEBGPU'] === '1';
