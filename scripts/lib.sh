# Shared by scripts/run and scripts/test: every step installs what is missing and skips what
# is already there, so a fresh machine and a warm one run the same commands.
# shellcheck shell=bash

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Builds live outside the clone so every clone (and CI) reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/crealia/target}"
export PATH="$HOME/.cargo/bin:$PATH"
CARGO_LEPTOS_VERSION="0.3.10"
DATA_DIR="$ROOT/.data"

# Every clone shares one target folder, and cargo copies a finished binary (target/debug/crealia,
# the front end's app.wasm) to its fixed place only when it rebuilds it: after another clone
# built, the files there may be that clone's. Touching the two crates that make those files
# makes this clone's build rebuild them (about a minute) and put its own there.
claim_build_outputs() {
  touch "$ROOT/src/main.rs" "$ROOT/app/src/lib.rs"
}

# Sets CREALIA_BIN to the release server: as given (an already built binary: its LTO build
# takes ~40 minutes on 2 cores), or built now.
release_binary() {
  if [ -z "${CREALIA_BIN:-}" ]; then
    claim_build_outputs
    cargo build --release --locked --bin crealia >&2
    CREALIA_BIN="$CARGO_TARGET_DIR/release/crealia"
  fi
}

# Starts $CREALIA_BIN as the webhook benchmarks run it, in the background: its own database,
# the background jobs off, RUST_LOG=info, the Meta app secret the deliveries were signed with
# (anything else, such as WEBHOOK_WRITERS or METRICS_TOKEN, comes from the environment).
# $1: database, $2: port, $3: app secret, $4: log file. Sets WEBHOOK_SERVER_PID.
start_webhook_server() {
  DATABASE_URL="$PG_SERVER_URL/$1" LEPTOS_SITE_ADDR="127.0.0.1:$2" JOBS_ENABLED=false RUST_LOG=info \
    INSTAGRAM_APP_ID=bench INSTAGRAM_APP_SECRET="$3" WEBHOOK_VERIFY_TOKEN=bench-verify-token \
    "$CREALIA_BIN" serve >"$4" 2>&1 &
  WEBHOOK_SERVER_PID=$!
}

# Builds the server and the WASM, split per page: every page is a lazy route (app/src/pages),
# and `--split` cuts each into its own chunk. Every build splits: a lazy route in a WASM
# built without it has nothing to load its chunk from. Extra arguments: e.g. --release.
build_site() {
  cargo leptos build --split "$@"
}

say() { printf '\033[1;35m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "'$*' needs root; run it once as root, then try again"; fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "cannot install $* (no apt-get): install it by hand"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq >&2; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# `cargo install` in a folder of its own (cargo's temporary one), not the project's target: an
# install then never waits for a build's lock, nor a build for an install's.
cargo_install() { env -u CARGO_TARGET_DIR cargo install "$@"; }

ensure_rust_tools() {
  command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs)"
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown >&2
  fi
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once per machine, about 20 minutes)"
    cargo_install "cargo-leptos@$CARGO_LEPTOS_VERSION" --locked --features no_downloads >&2
  fi
  local wbg
  wbg="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)"
  [ -n "$wbg" ] || die "Cargo.lock names no wasm-bindgen version"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg" ]; then
    say "installing wasm-bindgen-cli $wbg to match Cargo.lock (once per machine, about 10 minutes)"
    # --locked fails on this registry mirror for this version (see ../shared/toolchain.md).
    cargo_install wasm-bindgen-cli --version "$wbg" >&2
  fi
}

CARGO_AUDIT_VERSION="0.22.2"

ensure_cargo_audit() {
  if [ "$(cargo audit --version 2>/dev/null | awk '{print $2}')" != "$CARGO_AUDIT_VERSION" ]; then
    say "installing cargo-audit $CARGO_AUDIT_VERSION (once per machine, about 8 minutes)"
    cargo_install "cargo-audit@$CARGO_AUDIT_VERSION" --locked >&2
  fi
}

# s3s-fs: a real S3-protocol server over a folder, which the media-store and cluster tests start
# (0.14.1 is the newest that builds with rustc 1.95).
S3S_FS_VERSION="0.14.1"
ensure_s3s_fs() {
  if ! s3s-fs --version 2>/dev/null | grep -q "$S3S_FS_VERSION"; then
    say "installing s3s-fs $S3S_FS_VERSION, an S3-compatible server for the tests (once per machine, about 6 minutes)"
    # The crate is a library too: its server is behind the `binary` feature.
    cargo_install "s3s-fs@$S3S_FS_VERSION" --locked --features binary >&2
    command -v s3s-fs >/dev/null || die "s3s-fs did not install"
  fi
}

# Checks Cargo.lock against the RustSec advisory database shipped in audit/ (no network needed;
# ignores are in .cargo/audit.toml with their reasons).
audit_dependencies() {
  local archive="$ROOT/audit/advisory-db.tar.gz" dir
  dir="$HOME/.cache/crealia/advisory-db/$(sha256sum "$archive" | cut -c1-16)"
  if [ ! -d "$dir/advisory-db" ]; then
    mkdir -p "$dir" && tar -xzf "$archive" -C "$dir"
  fi
  cargo audit --db "$dir/advisory-db" --no-fetch
}

ensure_node() {
  command -v npm >/dev/null || apt_install nodejs npm
}

ensure_node_modules() { # $1: folder with package.json
  ensure_node
  local dir="$1"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package.json" -nt "$dir/node_modules" ]; then
    say "installing node modules in $dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >&2 && touch node_modules)
  fi
}

ensure_chromium() {
  export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [ ! -x "$CHROMIUM_PATH" ]; then
    say "installing Debian's Chromium"
    apt_install chromium
  fi
}

# A TCP port nothing listens on.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_ready() { pg_isready -q -d "$1" -t 3 >/dev/null 2>&1; }

# Finds a PostgreSQL and exports PG_SERVER_URL (no database name):
# DATABASE_URL's server if reachable, else 127.0.0.1:5432, else a cluster of the project's own
# in .data/postgres (created and started here).
ensure_postgres() {
  command -v pg_isready >/dev/null || apt_install postgresql-client
  if [ -n "${DATABASE_URL:-}" ] && pg_ready "$DATABASE_URL"; then
    PG_SERVER_URL="${DATABASE_URL%/*}"
  elif pg_ready "postgres://postgres@127.0.0.1:5432/postgres"; then
    PG_SERVER_URL="postgres://postgres@127.0.0.1:5432"
  else
    start_local_postgres
  fi
  export PG_SERVER_URL
}

start_local_postgres() {
  local port=5433 url="postgres://postgres@127.0.0.1:5433"
  PG_SERVER_URL="$url"
  if pg_ready "$url/postgres"; then return; fi
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$bin" ]; then
    say "installing PostgreSQL"
    apt_install postgresql
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  local pgdata="$DATA_DIR/postgres" run=()
  mkdir -p "$DATA_DIR"
  # PostgreSQL refuses to run as root: run it as the postgres user the package created.
  if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    say "creating a project-local PostgreSQL cluster in .data/postgres"
    mkdir -p "$pgdata"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$DATA_DIR"
    "${run[@]}" "$bin/initdb" -D "$pgdata" -U postgres -A trust --no-sync >/dev/null
  fi
  say "starting the project-local PostgreSQL on 127.0.0.1:$port"
  "${run[@]}" "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -k /tmp" start >/dev/null
}

create_database() { # $1: name
  local exists
  exists="$(psql "$PG_SERVER_URL/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")"
  [ "$exists" = 1 ] || psql "$PG_SERVER_URL/postgres" -qc "CREATE DATABASE \"$1\"" >/dev/null
}

drop_database() { # $1: name
  psql "$PG_SERVER_URL/postgres" -qc "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null 2>&1 || true
}

redis_ready() { redis-cli -u "$1" ping 2>/dev/null | grep -q PONG; }

# The tests need a real Redis: use 127.0.0.1:6379, or start one (installing it if needed).
ensure_redis() {
  command -v redis-cli >/dev/null || apt_install redis-server
  local url="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
  if ! redis_ready "$url"; then
    say "starting Redis on 127.0.0.1:6379"
    mkdir -p "$DATA_DIR/redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir "$DATA_DIR/redis" --logfile "$DATA_DIR/redis/redis.log" >&2
    for _ in $(seq 1 50); do redis_ready "$url" && break; sleep 0.1; done
    redis_ready "$url" || die "Redis did not start; see .data/redis/redis.log"
  fi
  export TEST_REDIS_URL="$url"
}

wait_for_http() { # $1: url, $2: seconds
  for _ in $(seq 1 $(( $2 * 10 ))); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# The built app for the browser tests, on a free port, with a database and a Redis of its own
# (a test stops and restarts that Redis: the control room's cache health, which must not
# disturb the machine's). Sets E2E_URL, E2E_REDIS_PORT and SANDBOX_ADMIN_TOKEN (the tests steer
# the in-process sandbox through its admin API); stop_browser_test_app undoes it all.
SERVER_PID=""
E2E_DB="crealia_e2e_$$"
E2E_REDIS_PORT=""
start_browser_test_app() { # $1: the server's log
  local port
  port="$(free_port)"
  E2E_REDIS_PORT="$(free_port)"
  export E2E_REDIS_PORT
  redis-server --port "$E2E_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
  SANDBOX_ADMIN_TOKEN="e2e-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  export SANDBOX_ADMIN_TOKEN
  # The browser tests sign up many creators from one address (SIGN_UPS_PER_HOUR raises its limit).
  (
    export LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$ROOT/target/site" \
      LEPTOS_SITE_PKG_DIR=pkg LEPTOS_OUTPUT_NAME=crealia \
      DATABASE_URL="$PG_SERVER_URL/$E2E_DB" REDIS_URL="redis://127.0.0.1:$E2E_REDIS_PORT" LOG_FORMAT=json RUST_LOG=warn \
      SIGN_UPS_PER_HOUR=1000
    exec "$CARGO_TARGET_DIR/debug/crealia" serve
  ) >"$1" 2>&1 &
  SERVER_PID=$!
  E2E_URL="http://127.0.0.1:$port"
  if ! wait_for_http "$E2E_URL/healthz" 60; then
    cat "$1" >&2
    die "the app did not start for the browser tests"
  fi
}

stop_browser_test_app() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$E2E_REDIS_PORT" ] && redis-cli -p "$E2E_REDIS_PORT" shutdown nosave >/dev/null 2>&1
  [ -n "${PG_SERVER_URL:-}" ] && drop_database "$E2E_DB"
  return 0
}
