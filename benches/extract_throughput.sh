#!/usr/bin/env bash
# Extraction throughput (issue 4): `dossier extract --format json` on one core over a corpus of
# >= 20 MB built from the seeds' sentences, next to `rg -F -f TERMS` over the same files
# (TERMS: ~100 lines of the extractor's word lists) as the scanning limit.
#
#   bash benches/extract_throughput.sh [MB]        # default 20
#
# Needs: a release build (cargo build --release), python3, hyperfine, rg.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-20}
BIN=$PWD/target/release/dossier
OUT=$PWD/target/bench
CORPUS=$OUT/extract$MB
TERMS=$OUT/terms.txt
mkdir -p "$OUT"
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 2; }

[ -d "$CORPUS" ] || python3 benches/gen_corpus.py "$CORPUS" --bytes $((MB * 1000000)) --sentences 15 >&2

# ~100 terms, every Nth non-comment line of the data files, without the annotations
# (`| aliases`, `; tag`, a month's leading number).
grep -hv '^[[:space:]]*#' crates/extract/src/data/*.txt | grep -v '^[[:space:]]*$' \
  | sed -e 's/[|;].*//' -e 's/^[0-9]\+ //' -e 's/[[:space:]]*$//' | grep -v '^$' \
  | awk 'NR % 21 == 0' > "$TERMS"

BYTES=$(cat "$CORPUS"/*.txt | wc -c)
echo "corpus: $CORPUS, $(ls "$CORPUS" | wc -l) files, $BYTES bytes; terms: $(wc -l < "$TERMS")"
echo "nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo); $(date -u +%FT%TZ)"
uptime

# Files are passed through xargs in one call (the list fits in ARG_MAX for a few thousand files).
cd "$CORPUS"
hyperfine --warmup 1 --runs 3 --export-json "$OUT/extract.json" \
  "RAYON_NUM_THREADS=1 $BIN extract --format json *.txt > /dev/null" \
  "rg -j1 -F -c -f $TERMS *.txt > /dev/null"
uptime
python3 - "$OUT/extract.json" "$BYTES" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
b = int(sys.argv[2])
for x in r:
    print("%-60s mean %7.3f s  %7.1f MB/s wall  %7.1f MB/s per CPU-second (user %.3f s, sys %.3f s)"
          % (x["command"][:60], x["mean"], b / x["mean"] / 1e6, b / (x["user"] + x["system"]) / 1e6, x["user"], x["system"]))
EOF
