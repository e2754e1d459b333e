#!/usr/bin/env bash
# Property-based API test: schemathesis (PyPI) generates requests from the OpenAPI
# document and checks that a throwaway demo server never answers 5xx and always answers
# as documented. Bounded examples and a fixed seed keep the run short and repeatable.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv="${SCHEMATHESIS_VENV:-target/schemathesis-venv}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  if python3 -m venv "$venv" 2>/dev/null; then
    "$venv/bin/pip" install --quiet "schemathesis==4.32.5"
  else
    # No venv module (Debian without python3-venv): install into a plain folder instead.
    python3 -m pip install --quiet --target "$venv/lib" "schemathesis==4.32.5"
    mkdir -p "$venv/bin"
    printf '#!/bin/sh\nPYTHONPATH="%s/lib" exec python3 -c "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = \\"schemathesis\\"; sys.exit(schemathesis())" "$@"\n' "$(cd "$venv" && pwd)" >"$venv/bin/schemathesis"
    chmod +x "$venv/bin/schemathesis"
  fi
fi

cargo build --quiet -p lookwire-server --bin lookwire
work="$(mktemp -d)"
log="$work/serve.log"
./target/debug/lookwire serve --demo --bind 127.0.0.1:0 --store "$work/show.sqlite" >"$log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

url=""
for _ in $(seq 100); do
  url="$(grep -o 'http://[0-9.:]*' "$log" | head -n1 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "the server did not start"; exit 1; }

# The WebSocket upgrade (101) is tested over a real socket in the Rust suite instead.
"$venv/bin/schemathesis" run "$url/api/v1/openapi.json" \
  --url "$url/api/v1" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path /ws \
  --phases examples,coverage,fuzzing \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" \
  --seed 7 \
  --workers 1 \
  --suppress-health-check all \
  --no-shrink
