#!/usr/bin/env bash
# `quarry prepare` of the 200-query crate (generate.py) for two Quarry trees, run alternately
# after a warm `cargo check` of each: how a describer change moves the prepare step.
#
#   DATABASE_URL=postgres://... bench/build-cost/compare.sh OLD_TREE NEW_TREE [runs]
# Each tree is a checkout (a `git worktree add --detach` of the older commit, say) with its CLI
# built (`cargo build -p quarry-cli` in it). The database needs gen/schema.sql. Prints every run
# and the median and minimum per tree (ms).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
old="$(cd "$1" && pwd)"
new="$(cd "$2" && pwd)"
runs="${3:-15}"
: "${DATABASE_URL:?set DATABASE_URL}"
ms() { date +%s%3N; }
for tree in "$old" "$new"; do
    python3 "$here/generate.py" 200 "$tree" >/dev/null
    (cd "$tree/bench/build-cost/gen/bc_quarry" &&
        CARGO_TARGET_DIR="$tree/bench/build-cost/target" cargo check --offline -q)
done
results="$(mktemp)"
for _ in $(seq "$runs"); do
    for tree in "$old" "$new"; do
        cd "$tree/bench/build-cost/gen/bc_quarry"
        t0=$(ms)
        CARGO_TARGET_DIR="$tree/bench/build-cost/target" "$tree/target/debug/quarry" prepare >/dev/null
        echo "$tree $(( $(ms) - t0 ))" | tee -a "$results"
    done
done
for tree in "$old" "$new"; do
    grep "^$tree " "$results" | cut -d' ' -f2 | sort -n | awk -v t="$tree" \
        '{ v[NR] = $1 } END { printf "%s: median %d ms, min %d ms (%d runs)\n", t, v[int((NR + 1) / 2)], v[1], NR }'
done
rm -f "$results"
