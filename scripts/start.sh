#!/usr/bin/env bash
# Builds Steward in release mode and starts it (SQLite in ./data/steward.db unless DATABASE_URL says
# otherwise). On the first start the server prints the generated Super Admin password, unless
# STEWARD_ADMIN_EMAIL / STEWARD_ADMIN_PASSWORD are set. Extra arguments go to `steward serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup-tools.sh --no-e2e

# cargo-leptos runs wasm-opt on release builds; ours comes from npm (binaryen) in .tools/.
export PATH="$PWD/.tools/node_modules/.bin:$PATH"
cargo leptos build --release --precompress --split

export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
exec target/release/steward serve "$@"
