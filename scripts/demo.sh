#!/usr/bin/env bash
# Runs the demo on a fresh Debian machine: installs what is missing
# (scripts/setup.sh), builds the npm package (scripts/build-pkg.sh), then serves
# the repository on http://127.0.0.1:${PORT:-8080}/ — `/` opens www/, the demo page
# (a panel per use and a Redis console, all on the package). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh
bash scripts/build-pkg.sh
echo "open http://127.0.0.1:${PORT:-8080}/ (Ctrl-C to stop)"
exec node tests/browser/server.mjs
