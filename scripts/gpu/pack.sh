#!/usr/bin/env bash
# Fills .gpu/ (git-ignored) with what a GPU host needs to run the gpu-check when it has a GPU driver but no
# Node.js, no npm registry and no Vulkan loader (the case seen on the H200 prototype host):
#   .gpu/node.xz             this machine's node binary, compressed
#   .gpu/gl/*.deb            Debian amd64 Vulkan/EGL loader packages (unpacked there only if it has none)
#   .gpu/ort.tar.xz          onnxruntime-node + onnxruntime-common, linux/x64 binaries only (the CUDA provider,
#                            over 64 MiB, travels apart: scripts/gpu/cuda-provider-pack.sh fills .gpu-cuda/)
#   .gpu/app.cjs             apps/gpu-check/src/main.ts bundled by esbuild (onnxruntime-node external)
#   .gpu/torch_reference.py  the PyTorch reference, run there when python3 imports torch
#   .gpu/remote.sh           the one command to run there
# Run from anywhere in the checkout after `npm ci`; then prints the command for the GPU host.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
out=.gpu
mkdir -p "$out/gl"

[ -f "$out/node.xz" ] || xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > "$out/node.xz"

if ! ls "$out"/gl/libvulkan1_*.deb >/dev/null 2>&1; then
  # A private package list, so the download neither needs nor touches this machine's apt state.
  lists=$(mktemp -d)
  mkdir -p "$lists/partial"
  apt_options=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists"
    -oAPT::Sandbox::User=root)
  apt-get "${apt_options[@]}" update >/dev/null
  (cd "$out/gl" && apt-get "${apt_options[@]}" download \
    libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
  rm -rf "$lists"
fi

ort=$(node -p "require('path').dirname(require.resolve('onnxruntime-node/package.json'))")
# onnxruntime-common exports no package.json to resolve: it sits nested in onnxruntime-node or hoisted beside it.
common=$ort/node_modules/onnxruntime-common
[ -d "$common" ] || common=$(dirname "$ort")/onnxruntime-common
stamp="$(node -p "require('$ort/package.json').version") $(ls "$ort/bin/napi-v6/linux/x64" | tr '\n' ' ')"
if [ ! -f "$out/ort.tar.xz" ] || [ "$(cat "$out/ort.stamp" 2>/dev/null)" != "$stamp" ]; then
  stage=$(mktemp -d)
  mkdir -p "$stage/node_modules"
  cp -r "$ort" "$stage/node_modules/onnxruntime-node"
  cp -r "$common" "$stage/node_modules/onnxruntime-common"
  # Only the linux/x64 binaries travel: the others would double the size for nothing.
  find "$stage/node_modules/onnxruntime-node/bin" -mindepth 2 -maxdepth 2 ! -name linux -exec rm -rf {} +
  rm -rf "$stage/node_modules/onnxruntime-node/bin/napi-v6/linux/arm64"
  rm -f "$stage"/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_*.so
  tar -C "$stage" -cf - node_modules | xz -T2 -6 > "$out/ort.tar.xz"
  rm -rf "$stage"
  echo "$stamp" > "$out/ort.stamp"
fi

npx --no-install tsx scripts/gpu/bundle.ts "$out/app.cjs"
cp apps/gpu-check/src/torch_reference.py scripts/gpu/remote.sh "$out/"

size=$(du -sm "$out" | cut -f1)
echo "gpu:check: packed $out ($size MiB):" >&2
ls -l "$out" "$out/gl" >&2
if [ "$size" -gt 64 ]; then
  echo "gpu:check: warning: $out is over 64 MiB, more than a lent device machine carries" >&2
fi
cat >&2 <<MSG

On the GPU host (from the folder holding .gpu/; the JSON lines go to \$OUT or the current folder):
  bash .gpu/remote.sh            # webgpu, cuda when its libraries were packed, torch, summary
  bash .gpu/remote.sh webgpu     # or any of: webgpu cuda torch summary
Through the project's device tool: run(command="bash .gpu/remote.sh", carry=[".gpu"], timeout_s=600)
Proof on this CPU (says nothing about a GPU):
  node .gpu/app.cjs --device cpu --quick
MSG
