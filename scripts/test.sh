#!/usr/bin/env bash
# Installs what the tests need on a fresh machine (Rust toolchain, Python and
# Node present), then runs every test: formatting, lints, broken doc links, the Rust suites, and
# each extra suite in scripts/test.d/ (end-to-end, browser, interop).
set -euo pipefail
cd "$(dirname "$0")/.."

rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet
echo "== cargo test"
cargo test --workspace --locked

shopt -s nullglob
for suite in scripts/test.d/*.sh; do
  echo "== $suite"
  bash "$suite"
done
