#!/usr/bin/env bash
# Reassembles the CUDA provider packed by cuda-provider-pack.sh (run from anywhere; the parts sit beside
# this script): checks the sha256 of the whole stream, extracts it in a scratch folder inside DEST, checks
# each library's sha256 and only then moves both into DEST. Any mismatch leaves DEST as it was (exit 1).
#   bash cuda-provider-unpack.sh DEST
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dest=${1:?usage: cuda-provider-unpack.sh DEST (onnxruntime-node/bin/napi-v6/linux/x64)}
[ -d "$dest" ] || { echo "cuda-provider-unpack: no folder $dest" >&2; exit 2; }
expected=$(cut -d' ' -f1 "$here/PARTS.sha256")
actual=$(cat "$here"/provider.tar.gz.part-* | sha256sum | cut -d' ' -f1)
if [ "$actual" != "$expected" ]; then
  echo "cuda-provider-unpack: the parts hash to $actual, expected $expected (a part is missing or damaged)" >&2
  exit 1
fi
stage=$(mktemp -d "$dest/.cuda-unpack-XXXXXX")
trap 'rm -rf "$stage"' EXIT
cat "$here"/provider.tar.gz.part-* | tar -xzf - -C "$stage"
if ! (cd "$stage" && sha256sum --quiet -c "$here/FILES.sha256"); then
  echo "cuda-provider-unpack: a library does not match FILES.sha256" >&2
  exit 1
fi
mv "$stage"/*.so "$dest/"
echo "cuda-provider-unpack: installed $(cut -d' ' -f3 "$here/FILES.sha256" | tr '\n' ' ')in $dest" >&2
