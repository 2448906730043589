#!/usr/bin/env bash
# Makes sure the Debian packages named as arguments are installed (redis-server, chromium).
# As root it installs what is missing with apt-get; otherwise it stops and names the packages.
set -euo pipefail
declare -A binary_of=([redis-server]=redis-server [chromium]=chromium)
missing=()
for package in "$@"; do
  command -v "${binary_of[$package]:-$package}" >/dev/null 2>&1 || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "isoflop: installing ${missing[*]} with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "isoflop: missing Debian package(s): ${missing[*]}. Install them first, e.g. sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
