#!/usr/bin/env bash
# Runs the browser scenarios (*.test.mjs) with node's test runner, one file at a time, in Debian's
# headless Chromium against the real server binary. Builds nothing: run `cargo build --release`
# first (it builds pwa/dist into the binary). Each scenario file starts its own
# `khaosat serve --demo` on a free 127.0.0.1 port with a throw-away SQLite database (lib.mjs),
# because the scenarios stop and restart it on the same port and database to cut every socket,
# and stops it at the end.
#   KHAOSAT_BIN       the server binary (default: target/release/khaosat)
#   KHAOSAT_CHROMIUM  the browser (default: /usr/bin/chromium)
#   extra arguments go to node --test (e.g. --test-name-pattern=offline)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export KHAOSAT_BIN=$(realpath "${KHAOSAT_BIN:-$root/target/release/khaosat}")
chromium=${KHAOSAT_CHROMIUM:-/usr/bin/chromium}
[ -x "$KHAOSAT_BIN" ] || { echo "run.sh: no server binary at $KHAOSAT_BIN (cargo build --release first)" >&2; exit 1; }
[ -x "$chromium" ] || { echo "run.sh: no Chromium at $chromium (apt-get install -y chromium)" >&2; exit 1; }
# The npm packages (pinned, from the lock files): playwright-core here, the stock automerge-repo
# client that reads documents back from the server in tests/node.
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund)
[ -d "$root/tests/node/node_modules/@automerge" ] || (cd "$root/tests/node" && npm ci --no-audit --no-fund)
cd "$here"
exec node --test --test-concurrency=1 "$@" ./*.test.mjs
