#!/usr/bin/env bash
# The README's first command after `npm ci`: builds isoflop and runs the quickstart sweep on this machine
# (a private redis-server is started for it, results go to ./isoflop.db, training runs on the CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh redis-server
npm run --silent build
exec node apps/cli/bin/isoflop.js run experiments/quickstart.yaml --workers 2 --serve "$@"
