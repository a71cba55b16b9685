#!/usr/bin/env bash
# `dossier check` on a copy of seeds/ (issue 3): cold (fresh state DB, reset before every run by
# hyperfine --prepare) and warm (nothing changed since the previous run).
#
#   bash benches/seeds_check.sh
#
# Needs: a release build (cargo build --release) and hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/target/release/dossier
B=$PWD/target/bench/seeds
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 2; }
rm -rf "$B" && mkdir -p "$B" && cp -r seeds "$B/docs"
cat > "$B/dossier.toml" <<EOF
[watch]
dir = "docs"
[state]
path = "state.db"
[[channel]]
kind = "jsonl"
path = "alerts.jsonl"
EOF
echo "nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo); $(date -u +%FT%TZ)"
uptime
hyperfine -N --warmup 2 --runs 20 \
  --prepare "rm -f $B/state.db $B/state.db-wal $B/state.db-shm $B/alerts.jsonl" \
  --command-name "cold check (5 seeds, fresh state)" "$BIN --config $B/dossier.toml check"
"$BIN" --config "$B/dossier.toml" check > /dev/null
hyperfine -N --warmup 3 --runs 30 \
  --command-name "warm check (nothing changed)" "$BIN --config $B/dossier.toml check"
uptime
