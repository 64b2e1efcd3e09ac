#!/usr/bin/env bash
# Measures `touch src/lib.rs && cargo check` for the three generated crates (see generate.py):
# online (DATABASE_URL), offline (QUARRY_OFFLINE / SQLX_OFFLINE with the caches made by the
# prepare step), each with incremental builds and with CARGO_INCREMENTAL=0; plus the prepare
# step itself (`quarry prepare` vs `cargo sqlx prepare`; install sqlx-cli 0.9 to measure it,
# otherwise sqlx's library prepare is emulated as sqlx-cli runs it).
#
#   DATABASE_URL=postgres://... QUARRY_BIN=/path/to/quarry bench/build-cost/measure.sh [runs]
# The database needs gen/schema.sql. Prints one line per measurement (median of `runs`, ms).
set -euo pipefail
cd "$(dirname "$0")/gen"
runs="${1:-3}"
export CARGO_TARGET_DIR="$PWD/../target"
: "${DATABASE_URL:?set DATABASE_URL}"
: "${QUARRY_BIN:?set QUARRY_BIN}"

ms() { date +%s%3N; }

# median_check CRATE ENV... : median wall time of `touch src/lib.rs && cargo check`.
median_check() {
    local crate="$1"; shift
    local times=()
    (cd "$crate" && env "$@" cargo check --offline -q >/dev/null 2>&1) # warm
    for _ in $(seq "$runs"); do
        touch "$crate/src/lib.rs"
        local t0; t0=$(ms)
        (cd "$crate" && env "$@" cargo check --offline -q >/dev/null 2>&1)
        times+=($(( $(ms) - t0 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

# Prepare steps, each the median of `runs` after a warm build: `quarry prepare` (every target, its
# default, and `-- --lib`) against `cargo sqlx prepare` (the library, its default, and
# `-- --all-targets`). Without sqlx-cli, sqlx's library prepare is emulated as sqlx-cli does it.
median_cmd() {
    local dir="$1"; shift
    local times=()
    for _ in $(seq "$runs"); do
        local t0; t0=$(ms)
        (cd "$dir" && "$@" >/dev/null 2>&1)
        times+=($(( $(ms) - t0 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}
(cd bc_quarry && cargo check --offline -q >/dev/null 2>&1)
(cd bc_sqlx && cargo check --offline -q >/dev/null 2>&1)
quarry_all=$(median_cmd bc_quarry "$QUARRY_BIN" prepare)
quarry_lib=$(median_cmd bc_quarry "$QUARRY_BIN" prepare -- --lib)
if command -v cargo-sqlx >/dev/null 2>&1; then
    sqlx_lib=$(median_cmd bc_sqlx cargo sqlx prepare)
    sqlx_all=$(median_cmd bc_sqlx cargo sqlx prepare -- --all-targets)
    sqlx_how="cargo sqlx prepare ($(cargo sqlx --version 2>/dev/null))"
else
    mkdir -p bc_sqlx/.sqlx
    sqlx_lib=$(median_cmd bc_sqlx bash -c 'touch src/lib.rs && SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$PWD/.sqlx" cargo check --offline -q')
    sqlx_all="n/a"
    sqlx_how="emulated: touch + cargo check with SQLX_OFFLINE_DIR"
fi
echo "prepare lib: quarry_ms=$quarry_lib sqlx_ms=$sqlx_lib; all targets: quarry_ms=$quarry_all sqlx_ms=$sqlx_all ($sqlx_how); entries: sqlx $(ls bc_sqlx/.sqlx | wc -l), quarry $(ls bc_quarry/.quarry | wc -l)"

for incr in 1 0; do
    base=$(median_check bc_baseline CARGO_INCREMENTAL=$incr)
    q_on=$(median_check bc_quarry CARGO_INCREMENTAL=$incr DATABASE_URL="$DATABASE_URL")
    q_off=$(median_check bc_quarry CARGO_INCREMENTAL=$incr QUARRY_OFFLINE=true DATABASE_URL=)
    s_on=$(median_check bc_sqlx CARGO_INCREMENTAL=$incr DATABASE_URL="$DATABASE_URL")
    s_off=$(median_check bc_sqlx CARGO_INCREMENTAL=$incr SQLX_OFFLINE=true DATABASE_URL=)
    echo "incremental=$incr baseline_ms=$base quarry_online_ms=$q_on quarry_offline_ms=$q_off sqlx_online_ms=$s_on sqlx_offline_ms=$s_off"
done
