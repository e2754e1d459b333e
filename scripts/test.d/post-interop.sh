#!/usr/bin/env bash
# Post-handoff interop against independent reference tools, installed here from PyPI:
#   - ascmhl (the ASC MHL reference implementation) verifies lookwire's histories and
#     lookwire verifies ascmhl's, each after the other tool added a generation; a tampered,
#     a new and a missing file are caught by both with the same exit codes.
# Needs: Rust toolchain, Python 3.11 with venv/pip.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV="${LOOKWIRE_INTEROP_VENV:-target/post-interop-venv}"
if [ ! -x "$VENV/bin/ascmhl" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check ascmhl
fi
ASCMHL="$VENV/bin/ascmhl"
ASCMHL_DEBUG="$VENV/bin/ascmhl-debug"

cargo build --quiet -p lookwire-server --bin lookwire
LOOKWIRE="$PWD/target/debug/lookwire"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

# expect CODE DESCRIPTION -- COMMAND...: runs COMMAND and checks its exit code.
expect() {
  local want="$1" what="$2"
  shift 3
  local got=0
  "$@" >"$WORK/out.log" 2>&1 || got=$?
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what: exit $got, expected $want"
    sed 's/^/    /' "$WORK/out.log"
  fi
}

# expect_output PATTERN DESCRIPTION: the last command's output names PATTERN.
expect_output() {
  if grep -q -- "$1" "$WORK/out.log"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $2: output does not mention $1"
    sed 's/^/    /' "$WORK/out.log"
  fi
}

make_card() {
  mkdir -p "$1/Clips/A001C001" "$1/Sound" "$1/empty"
  printf 'frame one\n' >"$1/Clips/A001C001/A001C001_0001.ari"
  printf 'frame two\n' >"$1/Clips/A001C001/A001C001_0002.ari"
  head -c 3000000 /dev/zero | tr '\0' 'x' >"$1/Clips/A001C001.mov"
  printf 'wav' >"$1/Sound/S001.wav"
  printf 'notes\n' >"$1/notes.txt"
}

echo "-- lookwire writes, ascmhl reads and extends"
L="$WORK/lookwire_first/A001"
make_card "$L"
expect 0 "lookwire mhl create" -- "$LOOKWIRE" mhl create "$L"
expect 0 "ascmhl verifies lookwire's generation" -- "$ASCMHL_DEBUG" verify "$L"
expect 0 "ascmhl verifies lookwire's directory hashes" -- "$ASCMHL_DEBUG" verify -dh "$L"
expect 0 "ascmhl diff on lookwire's history" -- "$ASCMHL" diff "$L"
printf 'second day\n' >"$L/Sound/S002.wav"
expect 0 "ascmhl adds generation 2 to lookwire's history" -- "$ASCMHL" create "$L" -h xxh128
expect 0 "lookwire verifies after ascmhl's generation" -- "$LOOKWIRE" mhl verify "$L"
expect 0 "lookwire create with nothing changed" -- "$LOOKWIRE" mhl create "$L" -h xxh128
expect_output "No change" "lookwire adds no generation when nothing changed"
printf 'edited\n' >"$L/notes.txt"
expect 11 "lookwire catches the tampered file" -- "$LOOKWIRE" mhl verify "$L"
expect_output "notes.txt" "lookwire names the tampered file"
expect 11 "ascmhl catches the tampered file" -- "$ASCMHL_DEBUG" verify "$L"
printf 'notes\n' >"$L/notes.txt"
rm "$L/Sound/S001.wav"
expect 10 "lookwire reports the missing file" -- "$LOOKWIRE" mhl verify "$L"
expect_output "Sound/S001.wav" "lookwire names the missing file"
expect 10 "ascmhl reports the missing file" -- "$ASCMHL_DEBUG" verify "$L"

echo "-- ascmhl writes, lookwire reads and extends"
A="$WORK/ascmhl_first/B002"
make_card "$A"
expect 0 "ascmhl create (xxh128, its default)" -- "$ASCMHL" create "$A"
expect 0 "lookwire verifies ascmhl's generation" -- "$LOOKWIRE" mhl verify "$A"
expect 0 "lookwire diff on ascmhl's history" -- "$LOOKWIRE" mhl diff "$A"
printf 'new clip\n' >"$A/Clips/A001C002.mov"
expect 21 "lookwire diff names the new file" -- "$LOOKWIRE" mhl diff "$A"
expect_output "Clips/A001C002.mov" "lookwire names the new file"
expect 0 "lookwire adds generation 2 (xxh64 + md5)" -- "$LOOKWIRE" mhl create "$A" -h xxh64 -h md5
expect 0 "ascmhl verifies after lookwire's generation" -- "$ASCMHL_DEBUG" verify "$A"
expect 0 "ascmhl create on top of lookwire's generation" -- "$ASCMHL" create "$A" -h xxh64
expect 0 "lookwire verifies the three generations" -- "$LOOKWIRE" mhl verify "$A"
head -c 3000000 /dev/zero | tr '\0' 'y' >"$A/Clips/A001C001.mov"
expect 11 "lookwire catches the tampered clip" -- "$LOOKWIRE" mhl verify "$A"
expect 11 "ascmhl catches the tampered clip" -- "$ASCMHL_DEBUG" verify "$A"
sed -i 's/notes.txt/notez.txt/' "$A"/ascmhl/0001_*.mhl
expect 31 "lookwire catches an edited manifest" -- "$LOOKWIRE" mhl verify "$A"
expect 31 "ascmhl catches the same edit" -- "$ASCMHL_DEBUG" verify "$A"

echo "post-interop: $passed passed, $failed failed"
[ "$failed" = 0 ]
