#!/usr/bin/env bash
# The VC's browser UI: type-checked with TypeScript --checkJs, then driven in Debian's
# Chromium by Playwright against `lookwire serve --demo`. Installs Chromium and the npm
# packages it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

cargo build --quiet -p lookwire-server --bin lookwire
export LOOKWIRE_BIN="$PWD/target/debug/lookwire"

cd tests/ui
npm ci --no-audit --no-fund --loglevel=error
npx tsc -p tsconfig.json
npm test
