#!/usr/bin/env bash
# Builds the npm package's generated part, pkg/dist/, from the Rust crate:
#   cargo (release, wasm32) → wasm-bindgen --target web → wasm-opt -O3 (npm binaryen)
# then prints the .wasm's raw and gzip sizes. Idempotent: when the raw wasm from
# cargo has not changed since the last run, wasm-bindgen and wasm-opt are skipped.
# Tools: see scripts/setup.sh and /work/shared/TOOLCHAIN.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
RAW=$TARGET_DIR/wasm32-unknown-unknown/release/cinnabar.wasm
OUT=$ROOT/pkg/dist
STAMP=$TARGET_DIR/cinnabar-pkg-dist.sha256
WASM_OPT=$ROOT/node_modules/.bin/wasm-opt
log() { printf '\033[1m[build-pkg]\033[0m %s\n' "$*" >&2; }

[ -x "$WASM_OPT" ] || { echo "build-pkg: $WASM_OPT missing: run npm ci (or scripts/setup.sh)" >&2; exit 1; }
command -v wasm-bindgen >/dev/null || { echo "build-pkg: wasm-bindgen CLI missing: run scripts/setup.sh" >&2; exit 1; }

log "cargo build --release --target wasm32-unknown-unknown"
cargo build --quiet --release --lib --target wasm32-unknown-unknown

sum=$( { sha256sum "$RAW"; wasm-bindgen --version; "$WASM_OPT" --version; sha256sum "$0"; } | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$sum" ] && [ -f "$OUT/cinnabar_bg.wasm" ] && [ -f "$OUT/cinnabar.js" ]; then
  log "pkg/dist is up to date"
else
  tmp=$(mktemp -d "$ROOT/pkg/.dist-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  log "wasm-bindgen --target web"
  wasm-bindgen "$RAW" --out-dir "$tmp" --out-name cinnabar --target web
  log "wasm-opt -O3"
  "$WASM_OPT" -O3 "$tmp/cinnabar_bg.wasm" -o "$tmp/cinnabar_bg.wasm"
  chmod 755 "$tmp"
  rm -rf "$OUT"
  mv "$tmp" "$OUT"
  trap - EXIT
  echo "$sum" > "$STAMP"
fi

raw=$(stat -c %s "$OUT/cinnabar_bg.wasm")
gz=$(gzip -9 -c "$OUT/cinnabar_bg.wasm" | wc -c)
printf 'pkg/dist/cinnabar_bg.wasm: %d bytes raw, %d bytes gzip -9\n' "$raw" "$gz"
