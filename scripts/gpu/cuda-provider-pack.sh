#!/usr/bin/env bash
# Packs the CUDA provider that `isoflop gpu setup cuda` installed beside onnxruntime-node, for a GPU host
# without registry access: its two libraries as one gzip'd tar split into parts of at most 60 MiB (a lent
# device machine carries 64 MiB per call), with the sha256 of the whole stream and of each library, and
# the script that reassembles them there.
#   bash scripts/gpu/cuda-provider-pack.sh [OUT_DIR]        (default .gpu-cuda; git-ignored)
# Env: CUDA_PACK_BINDING_DIR (default: onnxruntime-node's linux/x64 folder), CUDA_PACK_PART_SIZE (split's
#      -b, default 60M).
# On the host, from OUT_DIR: bash cuda-provider-unpack.sh DEST (e.g. node_modules/onnxruntime-node/bin/
# napi-v6/linux/x64), then `isoflop doctor --device cuda`, which checks both files against the pinned sha256.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$root/.gpu-cuda}
binding=${CUDA_PACK_BINDING_DIR:-$(cd "$root" && node -p \
  "require('path').join(require('path').dirname(require.resolve('onnxruntime-node/package.json')), 'bin/napi-v6/linux/x64')")}
files=(libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so)
for file in "${files[@]}"; do
  if [ ! -f "$binding/$file" ]; then
    echo "cuda-provider-pack: no $file in $binding; run \`isoflop gpu setup cuda\` first" >&2
    exit 2
  fi
done
rm -rf "$out"
mkdir -p "$out"
(cd "$binding" && sha256sum "${files[@]}") > "$out/FILES.sha256"
# The provider's GPU code is already compressed (xz or zstd gain about as little as gzip): gzip is fast.
tar -C "$binding" -cf - "${files[@]}" | gzip -6 |
  split -b "${CUDA_PACK_PART_SIZE:-60M}" -d -a 2 - "$out/provider.tar.gz.part-"
cat "$out"/provider.tar.gz.part-* | sha256sum | sed 's/ -$/ provider.tar.gz/' > "$out/PARTS.sha256"
cp "$root/scripts/gpu/cuda-provider-unpack.sh" "$out/"
ls -l "$out" >&2
