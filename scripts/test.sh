#!/usr/bin/env bash
# Runs every test tier on a fresh Debian machine (installing what is missing first):
#   1. set-up (scripts/setup.sh: redis-server, chromium, wasm32 target, wasm-bindgen CLI, npm ci)
#   2. the npm package build (scripts/build-pkg.sh: release wasm → wasm-bindgen → wasm-opt)
#   3. the host core has no wasm crates (cargo tree)
#   4. Rust: unit + integration tests, parity against a real redis-server, the 1,000,000-command fuzz test,
#      and the fuzz again compiled to wasm32 and run in Node (wasm-bindgen-test)
#   5. node --test: the built package in Node, headless Chromium, workerd (Miniflare), npm pack + Vite
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
t0=$(date +%s)

step "set-up"
bash scripts/setup.sh

step "build the npm package"
bash scripts/build-pkg.sh

step "the host build has no wasm crates"
if cargo tree -e normal --target "$(rustc -vV | sed -n 's/^host: //p')" | grep -E 'wasm-bindgen|js-sys'; then
  echo "wasm crates leaked into the host build" >&2; exit 1
fi
echo "ok"

step "no unwrap/expect/panic in the library (clippy; modules marked #![deny(clippy::indexing_slicing)] also index only through checked access)"
for target in "" "--target wasm32-unknown-unknown"; do   # the host core, then the wasm binding too
  cargo clippy --lib -q $target -- -A clippy::all -D clippy::unwrap_used -D clippy::expect_used \
    -D clippy::panic -D clippy::todo -D clippy::unimplemented
done
echo ok

step "Rust tests (unit, integration, parity with redis-server, dispatcher fuzz)"
cargo test --all-targets

step "the dispatcher and snapshot-decoder fuzz compiled to wasm32 (32-bit usize), run in Node by wasm-bindgen-test"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown --test fuzz_dispatch --test fuzz_snapshot

step "JS tests (Node, Chromium, workerd, packaging)"
node --test --test-concurrency=1 tests/js/ tests/browser/ tests/workerd/

echo
echo "all tests passed in $(( $(date +%s) - t0 )) s"
