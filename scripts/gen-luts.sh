#!/usr/bin/env bash
# Regenerates the shipped LUTs in luts/ with `lookwire bake`, one bake per line of
# luts/manifest.txt, 33³, values printed with 6 decimals. Run it only when the math
# changes (every regeneration grows the history); color/tests/shipped_luts.rs fails
# when a shipped file drifts from what the code bakes.
set -euo pipefail
cd "$(dirname "$0")/.."

# LOOKWIRE_BIN may name an already built binary (the bake is deterministic scalar f64,
# so a debug build writes the same files).
bin=${LOOKWIRE_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --locked -p lookwire-server --bin lookwire
  bin=target/release/lookwire
fi

while read -r file input working output style sop sat range; do
  case "$file" in ''|'#'*) continue ;; esac
  mkdir -p "luts/$(dirname "$file")"
  "$bin" bake --input "$input" --working "$working" --output "$output" \
    --cdl-style "$style" --sop "$sop" --sat "$sat" --range "$range" \
    --size 33 --decimals 6 -o "luts/$file" >/dev/null
  echo "luts/$file"
done < luts/manifest.txt
# The shipped set's ASC MHL history (luts/ascmhl): a new generation only when a LUT is new.
# ASC MHL records files that never change, so a changed LUT fails here (exit 11): when the
# math changed on purpose, remove luts/ascmhl and run again to start a fresh history.
"$bin" mhl create luts -i README.md -i manifest.txt
du -sh luts
