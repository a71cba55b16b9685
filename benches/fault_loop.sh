#!/usr/bin/env bash
# The kill loop of issue 18, on a release build: a generated corpus is recorded with every
# alert queued and none sent (DOSSIER_FAILPOINT=after-commit), then `dossier check` (and then,
# on a second copy, `dossier retry`) is SIGKILLed ROUNDS times at random moments of its
# delivery to a jsonl file and to an SMTP server on 127.0.0.1 (a small Python server started
# here, which records every Message-ID it accepts), and run again until it exits 0. Then:
# every alert id must be in the jsonl file exactly once and every document alerted once;
# email copies beyond one are counted, and each must be one dossier named as sent again after
# an attempt cut between the server's acceptance and its record.
#
#   benches/fault_loop.sh [DOCS] [ROUNDS]        # defaults: 2000 documents, 20 rounds
#
# Figures go to stdout; corpus and state to target/bench/fault/. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=${1:-2000}
ROUNDS=${2:-20}
OUT=target/bench/fault
BIN=target/release/dossier

cargo build --release --quiet
rm -rf "$OUT" && mkdir -p "$OUT"
python3 benches/gen_corpus.py "$OUT/docs" --docs "$DOCS" --sentences 60 >/dev/null

# The SMTP server: accepts everything, appends each message's Message-ID to a file.
cat >"$OUT/smtp.py" <<'EOF'
import socket, sys, threading
ids = open(sys.argv[2], "a", buffering=1)
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(16)
open(sys.argv[1], "w").write(str(srv.getsockname()[1]))
lock = threading.Lock()
def serve(c):
    try: talk(c)
    except OSError: pass  # a client killed mid-conversation
def talk(c):
    f = c.makefile("rb"); c.sendall(b"220 fault-loop\r\n")
    while True:
        l = f.readline()
        if not l: return
        u = l.strip().upper()
        if u.startswith(b"EHLO"): c.sendall(b"250-x\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
        elif u == b"DATA":
            c.sendall(b"354 go\r\n"); mid = None
            while True:
                l = f.readline()
                if not l: return
                if l in (b".\r\n", b".\n"): break
                if mid is None and l.lower().startswith(b"message-id:"): mid = l.split(b":", 1)[1].strip().decode()
            with lock: ids.write("%s\n" % mid)
            c.sendall(b"250 ok\r\n")
        elif u == b"QUIT": c.sendall(b"221 bye\r\n"); return
        else: c.sendall(b"250 ok\r\n")
while True:
    c, _ = srv.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF

# $1: the folder of one run; $2: the command to kill again and again.
loop() {
  local ws=$1 cmd=$2
  mkdir -p "$ws"
  python3 "$OUT/smtp.py" "$ws/port" "$ws/mail.ids" & local smtp=$!
  while [ ! -s "$ws/port" ]; do sleep 0.05; done
  cat >"$ws/dossier.toml" <<EOF
[watch]
dir = "$PWD/$OUT/docs"
[state]
path = "state.db"
[[channel]]
kind = "jsonl"
path = "alerts.jsonl"
[[channel]]
kind = "email"
smtp = "smtp://127.0.0.1:$(cat "$ws/port")"
from = "dossier <dossier@example.org>"
to = ["team@example.org"]
EOF
  local t0; t0=$(date +%s.%N)
  DOSSIER_FAILPOINT=after-commit "$BIN" --config "$ws/dossier.toml" check --format json \
    >/dev/null 2>"$ws/record.log" || true
  local t1; t1=$(date +%s.%N)
  local kills=0 rc
  progress() { echo $(( $(stat -c %s "$ws/alerts.jsonl" 2>/dev/null || echo 0) + $(wc -l <"$ws/mail.ids") )); }
  while [ "$kills" -lt "$ROUNDS" ]; do
    local before; before=$(progress)
    "$BIN" --config "$ws/dossier.toml" $cmd >/dev/null 2>>"$ws/runs.log" & local pid=$!
    while kill -0 "$pid" 2>/dev/null && [ "$(progress)" = "$before" ]; do sleep 0.001; done
    # A random moment of the delivery: 0-150 ms after it began.
    sleep "0.$(printf '%03d' $((RANDOM % 150)))"
    kill -9 "$pid" 2>/dev/null || true
    set +e; wait "$pid" 2>/dev/null; rc=$?; set -e
    # 137: killed; anything else: it had finished (everything sent) before the kill.
    if [ "$rc" -eq 137 ]; then kills=$((kills + 1)); else break; fi
  done
  local finals=0
  until "$BIN" --config "$ws/dossier.toml" $cmd >/dev/null 2>>"$ws/runs.log"; do
    finals=$((finals + 1)); [ "$finals" -lt 5 ] || { echo "never completed"; exit 1; }
  done
  local t2; t2=$(date +%s.%N)
  kill "$smtp"
  python3 - "$ws" "$cmd" "$kills" "$t0" "$t1" "$t2" <<'EOF'
import collections, json, sys
ws, cmd, kills, t0, t1, t2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), *map(float, sys.argv[4:])
lines = open(ws + "/alerts.jsonl", encoding="utf-8").read().splitlines()
alerts = [json.loads(l) for l in lines]
ids = collections.Counter(a["id"] for a in alerts)
docs = collections.Counter(a["documents"][0]["path"] for a in alerts)
dup = sum(n - 1 for n in ids.values())
sizes = sorted(len(l.encode()) for l in lines)
mails = collections.Counter(m.strip("<>").split(".dossier@")[0] for m in open(ws + "/mail.ids").read().split())
named = collections.Counter()
for l in open(ws + "/runs.log", encoding="utf-8", errors="replace"):
    if "an earlier attempt was cut off" in l:
        named[l.split("alert ")[1].split()[0]] += 1
extra = sum(n - 1 for n in mails.values())
unnamed = [i for i, n in mails.items() if n - 1 > named[i]]
print(f"{cmd}: {kills} SIGKILLs; record {t1-t0:.1f} s, kill loop and completion {t2-t1:.1f} s")
print(f"  jsonl: {len(lines)} lines, {len(ids)} alert ids, {dup} duplicates, {len(docs)} documents alerted, "
      f"{sum(1 for n in docs.values() if n > 1)} twice; alert size min {sizes[0]} / median {sizes[len(sizes)//2]} / max {sizes[-1]} bytes")
print(f"  email: {sum(mails.values())} messages for {len(mails)} alerts: {extra} extra copies, "
      f"{sum(named.values())} named as sent again after a cut-off attempt, {len(unnamed)} not named")
ok = dup == 0 and len(ids) == len(docs) and all(n == 1 for n in docs.values()) and not unnamed and set(mails) == set(ids)
sys.exit(0 if ok else 1)
EOF
}

echo "fault loop: $DOCS documents, $ROUNDS rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
loop "$OUT/check" check
loop "$OUT/retry" retry
