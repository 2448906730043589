#!/usr/bin/env bash
# Provisions a software Vulkan driver (Mesa's lavapipe) so onnxruntime-node's WebGPU provider runs on a
# machine without a GPU: the WebGPU tests use it. Debian 12's lavapipe (Mesa 22.3) lacks what Dawn needs
# (shaderUniformBufferArrayDynamicIndexing and friends), so the driver comes from bookworm-backports
# (Mesa 25) and is unpacked into .cache/software-vulkan/, not installed; its libraries' dependencies come
# from Debian's own mesa-vulkan-drivers (installed with apt-get as root). Prints nothing on success.
#   bash scripts/software-vulkan.sh      then tests find .cache/software-vulkan/icd.json
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$root/.cache/software-vulkan
[ -f "$dir/icd.json" ] && exit 0

if ! dpkg -s mesa-vulkan-drivers >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "software-vulkan: needs the Debian package mesa-vulkan-drivers (for lavapipe's libraries): sudo apt-get install mesa-vulkan-drivers" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers >/dev/null
fi

# A private package list, so the download neither needs nor touches this machine's apt sources.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/debs"
echo "deb http://deb.debian.org/debian bookworm-backports main" > "$work/sources.list"
apt_options=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$work/lists"
  "-oDir::Etc::SourceList=$work/sources.list" -oDir::Etc::SourceParts=/dev/null -oAPT::Sandbox::User=root)
apt-get "${apt_options[@]}" update >/dev/null
(cd "$work/debs" && apt-get "${apt_options[@]}" download \
  mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports >/dev/null)

stage=$dir.partial
rm -rf "$stage"
mkdir -p "$stage"
for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$stage/root"; done
lib=$dir/root/usr/lib/x86_64-linux-gnu
cat > "$stage/icd.json" <<JSON
{ "file_format_version": "1.0.0", "ICD": { "library_path": "$lib/libvulkan_lvp.so", "api_version": "1.3.0" } }
JSON
rm -rf "$dir"
mv "$stage" "$dir"
