#!/usr/bin/env bash
# The gpu-check on a GPU host, from what scripts/gpu/pack.sh put in .gpu/: unpacks node and onnxruntime-node,
# provides a Vulkan loader when the host has none (WebGPU runs through Vulkan), then runs each experiment
# in its own process (a provider crash kills only its process) and appends every JSON line to
# $GPU_CHECK_OUT (default $OUT, else the current folder)/gpu-check.jsonl, stderr to gpu-check.stderr.
#   bash .gpu/remote.sh [webgpu] [cuda] [torch] [profile] [summary]     (default: all five, in this order)
# Env: GPU_CHECK_SHAPES (default prototype), GPU_CHECK_TIMEOUT (seconds per experiment, default 240;
#      GPU_CHECK_STEPS_PER_RUN: K of the cuda throughput runs, default 32;
#      GPU_CHECK_TORCH_TIMEOUT for the PyTorch one, default 480),
#      VK_DRIVER_FILES (default: the NVIDIA ICD file where the driver put it), GPU_CHECK_APP_DIR,
#      GPU_CHECK_LOADERS=private (keep the loaders under the app folder even as root, not in /).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pack=$here
# Run as scripts/gpu/remote.sh from the checkout, the pack is the checkout's .gpu/.
[ -f "$pack/app.cjs" ] || pack=$(cd "$here/../.." && pwd)/.gpu
if [ ! -f "$pack/app.cjs" ]; then
  echo "remote.sh: no app.cjs in $pack; run npm run gpu:check first" >&2
  exit 2
fi
out=${GPU_CHECK_OUT:-${OUT:-$PWD}}
mkdir -p "$out"
log=$out/gpu-check.jsonl
errors=$out/gpu-check.stderr
limit=${GPU_CHECK_TIMEOUT:-240}
# torch.compile alone can take minutes per shape.
torch_limit=${GPU_CHECK_TORCH_TIMEOUT:-480}
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(webgpu cuda torch profile summary)

app=${GPU_CHECK_APP_DIR:-/tmp/isoflop-gpu}
mkdir -p "$app"
cd "$app" || exit 2
[ -x node ] || { xz -dc "$pack/node.xz" > node && chmod +x node; }
tar xJf "$pack/ort.tar.xz"
cp "$pack/app.cjs" "$pack/torch_reference.py" .

if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  if [ "$(id -u)" = 0 ] && [ "${GPU_CHECK_LOADERS:-system}" = system ]; then
    # As on the prototype host: unpack the loaders into / and refresh the linker cache.
    for deb in "$pack"/gl/*.deb; do dpkg -x "$deb" /; done
    ldconfig
  else
    for deb in "$pack"/gl/*.deb; do dpkg -x "$deb" "$app/gl"; done
    export LD_LIBRARY_PATH="$app/gl/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
fi
if [ -z "${VK_DRIVER_FILES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
    /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then
      export VK_DRIVER_FILES=$icd
      break
    fi
  done
fi
echo "remote.sh: log $log, VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}" >&2
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv >&2

# One experiment: its own process under a time limit; its exit status becomes a JSON line too.
run() {
  local seconds=$1 name=$2
  shift 2
  echo "remote.sh: $name" >&2
  timeout "$seconds" ./node app.cjs "$@" 2>>"$errors" | tee -a "$log"
  local status=${PIPESTATUS[0]}
  printf '{"bench":"gpu-check","metric":"exit_status","value":%d,"unit":"code","experiment":"%s"}\n' \
    "$status" "$name" | tee -a "$log"
}

shapes=$(./node app.cjs --list-shapes "${GPU_CHECK_SHAPES:-prototype}") || exit 2
device_checks() {
  local device=$1
  for family in arm mdm mdm-prime-v2; do
    run "$limit" "compare $device $family" --device "$device" --only compare --families "$family"
  done
  run "$limit" "peak $device" --device "$device" --only peak
  for shape in $shapes; do
    for precision in fp32 mixed; do
      run "$limit" "throughput $device $shape $precision" --device "$device" --only throughput \
        --shapes "$shape" --precisions "$precision"
    done
  done
}

# CUDA 13 and cuDNN 9 for the provider (it has no RUNPATH): pip's NVIDIA wheels (PyTorch for CUDA 13),
# then /usr/local/cuda*; the driver's libcuda.so.1 comes from the loader cache.
cuda_library_path() {
  local dirs=() root entry
  while read -r root; do
    [ -n "$root" ] || continue
    for entry in "$root"/cu13/lib "$root"/cudnn/lib "$root"/*/lib; do [ -d "$entry" ] && dirs+=("$entry"); done
  done < <(python3 -c 'import nvidia; print("\n".join(nvidia.__path__))' 2>/dev/null)
  for entry in /usr/local/cuda*/lib64; do [ -d "$entry" ] && dirs+=("$entry"); done
  local IFS=:
  echo "${dirs[*]}"
}

# The CUDA phases: loss agreement with the CPU per family and precision (fp32 with TF32 off within 1e-4),
# the Loop's K steps per run against single steps, MatMul peaks and throughput per shape and precision with
# K steps per run. One precision per process: cuBLAS reads its TF32 switch once (fp32 sets it off).
cuda_checks() {
  local k=${GPU_CHECK_STEPS_PER_RUN:-32} precision family shape
  export LD_LIBRARY_PATH="$(cuda_library_path)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "remote.sh: cuda LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >&2
  ldd "node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so" | grep 'not found' >&2
  for precision in fp32 tf32 mixed; do
    for family in arm mdm mdm-prime-v2; do
      run "$limit" "compare cuda $family $precision" --device cuda --only compare --families "$family" \
        --precisions "$precision"
      run "$limit" "compare cuda $family $precision k4" --device cuda --only compare --families "$family" \
        --precisions "$precision" --steps-per-run 4 --steps 8
    done
    run "$limit" "peak cuda $precision" --device cuda --only peak --precisions "$precision"
    for shape in $shapes; do
      run "$limit" "throughput cuda $shape $precision k$k" --device cuda --only throughput --shapes "$shape" \
        --precisions "$precision" --steps-per-run "$k"
    done
  done
}

for stage in "${stages[@]}"; do
  case $stage in
    webgpu) device_checks webgpu ;;
    cuda)
      binding=node_modules/onnxruntime-node/bin/napi-v6/linux/x64
      # The provider travels apart (over 64 MiB): reassemble it when its parts were carried beside .gpu/.
      for parts in "$pack/../.gpu-cuda" "$pack/cuda"; do
        if [ ! -f "$binding/libonnxruntime_providers_cuda.so" ] && [ -f "$parts/cuda-provider-unpack.sh" ]; then
          bash "$parts/cuda-provider-unpack.sh" "$binding" >&2
        fi
      done
      if [ -f "$binding/libonnxruntime_providers_cuda.so" ]; then
        cuda_checks
      else
        printf '{"bench":"gpu-check","metric":"skipped","value":0,"unit":"count","phase":"cuda","reason":"%s"}\n' \
          "no CUDA provider (isoflop gpu setup cuda, then scripts/gpu/cuda-provider-pack.sh)" | tee -a "$log"
      fi
      ;;
    torch)
      # The GPU's step counts (3 warm-up, 10 timed), as the throughput experiments use.
      run "$torch_limit" torch --device webgpu --only torch --shapes "$(echo $shapes | tr ' ' ',')"
      ;;
    profile)
      # Where the WebGPU step's time goes, per shader program (GPU timestamp queries).
      for shape in $shapes; do
        for precision in fp32 mixed; do
          run "$limit" "profile webgpu $shape $precision" --device webgpu --only profile \
            --shapes "$shape" --precisions "$precision" --warmup 2 --timed-steps 3
        done
      done
      ;;
    summary) ./node app.cjs --summary "$log" | tee -a "$log" ;;
    *)
      echo "remote.sh: unknown stage $stage (expected webgpu, cuda, torch, profile, summary)" >&2
      exit 2
      ;;
  esac
done
