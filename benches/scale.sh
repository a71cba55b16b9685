#!/usr/bin/env bash
# Scale (issue 8): `dossier check` on a generated corpus of N documents (folders of 1,000).
#
#   bash benches/scale.sh 10000          # or 100000; NOTIFY=0 for a --no-notify first check
#   CORPUS=distinct bash benches/scale.sh 100000
#   BIN=target/bench/dossier-COMMIT CORPUS=distinct bash benches/scale.sh 100000   # a copied binary
#
# CORPUS=hot (default): documents share the seeds' people, organisations and events, so claim
# keys are shared by a large fraction of the corpus (see BENCHMARKS.md);
# CORPUS=distinct: those are renamed per document (gen_corpus.py --distinct).
#
# Measures
#   (a) the first check (fresh state): wall time and peak RSS (GNU time -v);
#   (b) a re-check with nothing changed, next to `git status` on the same tree
#       (after `git init && git add -A`);
#   (c) a re-check after editing 10 files.
# Alerts go to a jsonl channel (one line per document on the first check). The corpus and state
# live under target/bench/scaleN (BENCH_DIR overrides); the corpus is deterministic and kept
# between runs, the state is rebuilt.
#
# Needs: a release build (cargo build --release), python3, hyperfine, git, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
NOTIFY=${NOTIFY:-1}
CORPUS=${CORPUS:-hot}
case "$CORPUS" in
  hot) GEN_FLAGS=""; SUFFIX="" ;;
  distinct) GEN_FLAGS="--distinct"; SUFFIX="-distinct" ;;
  *) echo "CORPUS is hot or distinct" >&2; exit 2 ;;
esac
ROOT=$PWD
BIN=${BIN:-$ROOT/target/release/dossier}  # BIN= another build (a copy kept for a long run)
B=${BENCH_DIR:-$ROOT/target/bench/scale$N$SUFFIX}
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }
mkdir -p "$B"
log() { echo "[$(date -u +%T)] $*" >&2; }

if [ ! -f "$B/docs/.complete" ]; then
  rm -rf "$B/docs"
  log "generating $N documents ($CORPUS)"
  python3 benches/gen_corpus.py "$B/docs" --docs "$N" --sentences 10 $GEN_FLAGS >&2
  touch "$B/docs/.complete"
fi
BYTES=$(du -sb --exclude=.git "$B/docs" | cut -f1)

cat > "$B/dossier.toml" <<EOF
[watch]
dir = "docs"
debounce_ms = 100
[state]
path = "state.db"
[[channel]]
kind = "jsonl"
path = "alerts.jsonl"
EOF
CHECK="$BIN --config $B/dossier.toml check"
rm -f "$B"/state.db* "$B/alerts.jsonl"

log "machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
log "load before: $(uptime)"

# (a) first check
FLAGS=""
[ "$NOTIFY" = 0 ] && FLAGS="--no-notify"
log "(a) first check $FLAGS"
/usr/bin/time -v -o "$B/first.time" $CHECK $FLAGS > "$B/first.out" 2> "$B/first.err" || {
  echo "first check failed:" >&2; tail -5 "$B/first.err" >&2; exit 3; }
FIRST_S=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$B/first.time")
FIRST_USER=$(awk -F': ' '/User time/ {print $2}' "$B/first.time")
FIRST_SYS=$(awk -F': ' '/System time/ {print $2}' "$B/first.time")
FIRST_RSS_KB=$(awk -F': ' '/Maximum resident/ {print $2}' "$B/first.time")
ALERTS=$( [ -f "$B/alerts.jsonl" ] && wc -l < "$B/alerts.jsonl" || echo 0)
log "load after (a): $(uptime)"

# (b) unchanged re-check next to git status
if [ ! -d "$B/docs/.git" ]; then
  log "(b) git init && git add -A"
  (cd "$B/docs" && git init -q && git add -A && git -c user.name=b -c user.email=b@b commit -qm corpus)
fi
log "(b) unchanged re-check vs git status"
hyperfine -N --warmup 1 --runs 5 --export-json "$B/recheck.json" \
  "$CHECK" "git -C $B/docs status --porcelain" >&2
log "load after (b): $(uptime)"

# (c) re-check after editing 10 files: each run appends a sentence with a new number to 10
# other files (chosen by a counter, spread over the folders).
cat > "$B/edit10.sh" <<'EOF'
#!/usr/bin/env bash
set -e
B=$1; N=$2
c=$(cat "$B/edit.counter" 2>/dev/null || echo 0); echo $((c + 1)) > "$B/edit.counter"
for k in 0 1 2 3 4 5 6 7 8 9; do
  i=$(( (c * 10 + k) * 7919 % N ))
  f=$(printf '%s/docs/d%04d/doc%06d.txt' "$B" $((i / 1000)) "$i")
  printf '\nوبلغت قيمة الصفقة %d مليون دولار في عام 2023.\n' $((c * 10 + k + 100)) >> "$f"
done
EOF
log "(c) re-check after editing 10 files"
hyperfine -N --runs 5 --prepare "bash $B/edit10.sh $B $N" --export-json "$B/edit10.json" \
  "$CHECK" >&2
log "load after (c): $(uptime)"

python3 - "$N $CORPUS" "$BYTES" "$FIRST_S" "$FIRST_USER" "$FIRST_SYS" "$FIRST_RSS_KB" "$ALERTS" \
  "$B/recheck.json" "$B/edit10.json" "$FLAGS" <<'EOF'
import json, sys
n, nbytes, first, fu, fs, rss_kb, alerts, rj, ej, flags = sys.argv[1:]
n, mode = n.split()
n, nbytes, first, rss = int(n), int(nbytes), float(first), int(rss_kb) / 1024
re_, git = json.load(open(rj))["results"]
ed = json.load(open(ej))["results"][0]
limit_first = 60 if n <= 10000 else 600
def ok(b): return "ok" if b else "MISSED"
print()
print("| N = %d docs (%s), %.0f MB | result | target | |" % (n, mode, nbytes / 1e6))
print("|---|---|---|---|")
print("| (a) first check %s | %.1f s (user %s s, sys %s s), %.1f MB/s | <= %d s | %s |"
      % (flags, first, fu, fs, nbytes / first / 1e6, limit_first, ok(first <= limit_first)))
print("| (a) peak RSS | %.0f MB | <= 300 MB | %s |" % (rss, ok(rss <= 300)))
print("| (a) alerts written (jsonl) | %s | | |" % alerts)
print("| (b) unchanged re-check | %.3f s ± %.3f | <= 2x git status | %s |"
      % (re_["mean"], re_["stddev"], ok(re_["mean"] <= 2 * git["mean"])))
print("| (b) git status --porcelain | %.3f s ± %.3f | | ratio %.2fx |"
      % (git["mean"], git["stddev"], re_["mean"] / git["mean"]))
print("| (c) re-check after editing 10 files | %.3f s ± %.3f | <= re-check + 1 s | %s |"
      % (ed["mean"], ed["stddev"], ok(ed["mean"] <= re_["mean"] + 1)))
EOF
