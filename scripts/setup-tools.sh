#!/usr/bin/env bash
# Installs what building and testing Steward needs. Idempotent: every step is skipped when it is
# already satisfied, and prints one line, "ok: ..." or "installing: ...".
#
#   scripts/setup-tools.sh            everything for build + tests (Rust tools, wasm-opt, Chromium, Playwright, schemathesis)
#   scripts/setup-tools.sh --no-e2e   skip Chromium and the end2end npm packages (enough to build and run)
#   scripts/setup-tools.sh --bench    also install wrk (bench/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132
SCHEMATHESIS_VERSION=4.32.5

want_e2e=1
want_bench=0
for arg in "$@"; do
  case "$arg" in
    --no-e2e) want_e2e=0 ;;
    --bench) want_bench=1 ;;
    -h | --help)
      sed -n '2,8p' "$0"
      exit 0
      ;;
    *)
      echo "setup-tools.sh: unknown option: $arg" >&2
      exit 2
      ;;
  esac
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    sudo "$@"
  fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# --- Rust components and the wasm target --------------------------------------------------------
# (Outputs are captured first: `cmd | grep -q` can fail under pipefail when grep exits early.)
installed_components=$(rustup component list --installed 2>/dev/null || true)
for component in rustfmt clippy; do
  if grep -q "^${component}" <<<"$installed_components"; then
    echo "ok: rustup component $component"
  else
    echo "installing: rustup component $component"
    rustup component add "$component"
  fi
done

installed_targets=$(rustup target list --installed)
if grep -qx 'wasm32-unknown-unknown' <<<"$installed_targets"; then
  echo "ok: rustup target wasm32-unknown-unknown"
else
  echo "installing: rustup target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# --- cargo-leptos (0.3.11 needs a newer rustc; no_downloads makes a missing tool fail at once) ---
have_leptos=$(cargo leptos --version 2>/dev/null | awk '{print $NF}' || true)
if [ "$have_leptos" = "$CARGO_LEPTOS_VERSION" ]; then
  echo "ok: cargo-leptos $CARGO_LEPTOS_VERSION"
else
  echo "installing: cargo-leptos $CARGO_LEPTOS_VERSION (found: ${have_leptos:-none}; takes ~12 min on 2 cores)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# --- wasm-bindgen CLI: must match the wasm-bindgen crate in Cargo.lock exactly --------------------
wb_version=""
if [ -f Cargo.lock ]; then
  wb_version=$(awk '
    /^\[\[package\]\]/ { in_wb = 0 }
    /^name = "wasm-bindgen"$/ { in_wb = 1 }
    in_wb && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' Cargo.lock)
fi
if [ -z "$wb_version" ]; then
  # No lock file yet: fall back to the exact pin in the workspace Cargo.toml (wasm-bindgen = "=x.y.z").
  wb_version=$(sed -nE 's/^wasm-bindgen[[:space:]]*=[[:space:]]*"=?([0-9][0-9.]*)".*/\1/p' Cargo.toml | head -n1)
fi
if [ -z "$wb_version" ]; then
  echo "setup-tools.sh: cannot find the wasm-bindgen version in Cargo.lock or Cargo.toml" >&2
  exit 1
fi
have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_wb" = "$wb_version" ]; then
  echo "ok: wasm-bindgen-cli $wb_version"
else
  # No --locked: the CLI's own lock file pins a crate version the registry no longer serves.
  echo "installing: wasm-bindgen-cli $wb_version (found: ${have_wb:-none}; takes ~4 min)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# --- wasm-opt for release builds (Debian's binaryen is too old) ----------------------------------
if [ -x .tools/node_modules/.bin/wasm-opt ]; then
  echo "ok: binaryen (wasm-opt) in .tools/"
else
  echo "installing: binaryen@$BINARYEN_VERSION into .tools/"
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
fi

# --- Browser and Playwright for the end-to-end tests ---------------------------------------------
if [ "$want_e2e" -eq 1 ]; then
  if [ -x /usr/bin/chromium ]; then
    echo "ok: chromium (/usr/bin/chromium)"
  else
    echo "installing: chromium (Debian package)"
    apt_install chromium
  fi

  if [ ! -d end2end/node_modules ] \
    || [ ! -f end2end/node_modules/.package-lock.json ] \
    || [ end2end/package.json -nt end2end/node_modules/.package-lock.json ] \
    || { [ -f end2end/package-lock.json ] && [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; }; then
    if [ -f end2end/package-lock.json ]; then
      echo "installing: end2end npm packages (npm ci)"
      (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
    else
      echo "installing: end2end npm packages (npm install)"
      (cd end2end && npm install --no-audit --no-fund --loglevel=error)
    fi
  else
    echo "ok: end2end npm packages"
  fi
fi

# --- schemathesis for scripts/api-fuzz.sh, in a virtualenv of its own ----------------------------
if [ "$want_e2e" -eq 1 ]; then
  have_st=$(.tools/venv/bin/st --version 2>/dev/null | awk '{print $NF}' || true)
  if [ "$have_st" = "$SCHEMATHESIS_VERSION" ]; then
    echo "ok: schemathesis $SCHEMATHESIS_VERSION in .tools/venv"
  else
    echo "installing: schemathesis $SCHEMATHESIS_VERSION into .tools/venv (found: ${have_st:-none})"
    python3 -m venv .tools/venv
    .tools/venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
fi

# --- wrk for bench/run.sh ------------------------------------------------------------------------
if [ "$want_bench" -eq 1 ]; then
  if command -v wrk >/dev/null 2>&1; then
    echo "ok: wrk"
  else
    echo "installing: wrk (Debian package)"
    apt_install wrk
  fi
fi
