#!/usr/bin/env python3
"""Watch latency (issue 6): write -> alert latency of `dossier watch`, bursts, RSS over bursts.

    python3 benches/watch_latency.py [--singles 60] [--bursts 10] [--burst-size 1000] [--distinct]
                                     [--singles-after 0]

Starts the daemon (release build) on a fresh temp folder with debounce_ms = 100 and a jsonl
channel, waits for `ready`, then
  1. writes --singles new documents one at a time; for each, the time from the rename that makes
     it appear to the moment its alert line is in alerts.jsonl (the file is polled every 2 ms);
  2. writes --bursts bursts of --burst-size documents at once (each burst in a new subfolder),
     waits until every document of the burst has its alert (or 120 s of silence), then counts
     the documents stored (`dossier show documents --format json`) and the alerts, and reads
     the daemon's VmRSS from /proc;
  3. with --singles-after, writes that many single documents again, as in 1 (latency in the
     dossier the bursts made).
Documents are written to NAME.tmp (excluded by the default globs) and renamed into place, so
the daemon never reads a half-written file. Text comes from benches/gen_corpus.py (seeds'
sentences, deterministic).
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen_corpus  # noqa: E402

# DOSSIER_BIN: another build to compare (e.g. one of an older commit).
BIN = os.environ.get("DOSSIER_BIN") or os.path.join(ROOT, "target", "release", "dossier")


def cpu_s(pid):
    """User and system CPU time of the process so far, in seconds (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


class Alerts:
    """Follows alerts.jsonl: the set of document paths alerted so far."""

    def __init__(self, path):
        self.path, self.pos, self.buf, self.paths, self.lines = path, 0, b"", set(), 0

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except FileNotFoundError:
            return
        self.pos += len(data)
        self.buf += data
        *full, self.buf = self.buf.split(b"\n")
        for line in full:
            if not line.strip():
                continue
            self.lines += 1
            for d in json.loads(line).get("documents", []):
                self.paths.add(d["path"])


def write_doc(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--singles", type=int, default=60)
    ap.add_argument("--singles-after", type=int, default=0,
                    help="that many single documents again after the bursts (latency in a big"
                         " dossier)")
    ap.add_argument("--bursts", type=int, default=10)
    ap.add_argument("--burst-size", type=int, default=1000)
    ap.add_argument("--debounce-ms", type=int, default=100)
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    ap.add_argument("--same-files", action="store_true",
                    help="every burst rewrites the same files (new text): the document count stays"
                         " constant, so RSS growth is not working-set growth")
    ap.add_argument("--distinct", action="store_true",
                    help="documents name distinct people, organisations, events (gen_corpus.py)")
    a = ap.parse_args()
    if not os.access(BIN, os.X_OK):
        sys.exit("build first: cargo build --release")

    work = tempfile.mkdtemp(prefix="dossier-watch-bench-")
    docs = os.path.join(work, "docs")
    os.makedirs(docs)
    conf = os.path.join(work, "dossier.toml")
    with open(conf, "w") as f:
        f.write('[watch]\ndir = "docs"\ndebounce_ms = %d\n[state]\npath = "state.db"\n'
                '[[channel]]\nkind = "jsonl"\npath = "alerts.jsonl"\n' % a.debounce_ms)
    sentences = gen_corpus.seed_sentences()
    varier = gen_corpus.Varier(sentences, a.distinct)
    rng = random.Random(7)

    def text():
        return gen_corpus.document(rng, sentences, rng.randint(5, 15), varier)

    print("work dir %s; nproc %d; %s" % (work, os.cpu_count(),
          open("/proc/loadavg").read().strip()), flush=True)
    env = dict(os.environ)
    env.setdefault("RUST_LOG", "dossier=info")
    p = subprocess.Popen([BIN, "--config", conf, "watch"], stderr=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, env=env, text=True)
    ready = threading.Event()
    errlog = open(os.path.join(work, "daemon.log"), "w")

    def drain():
        for line in p.stderr:
            errlog.write(line)
            errlog.flush()
            if "ready" in line:
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    if not ready.wait(60):
        p.kill()
        sys.exit("daemon not ready after 60 s; see %s/daemon.log" % work)
    alerts = Alerts(os.path.join(work, "alerts.jsonl"))
    rss0 = rss_kb(p.pid)
    print("ready; VmRSS %d kB" % rss0, flush=True)

    def singles(n, prefix, label):
        """Writes n new documents one at a time; prints the write -> alert latency."""
        lat = []
        for i in range(n):
            name = "%s%04d.txt" % (prefix, i)
            body = text()
            t0 = time.monotonic()
            write_doc(os.path.join(docs, name), body)
            want = "docs/" + name
            while want not in alerts.paths:
                if time.monotonic() - t0 > 30:
                    print("no alert for %s after 30 s" % name, flush=True)
                    break
                time.sleep(0.002)
                alerts.poll()
            else:
                lat.append((time.monotonic() - t0) * 1000)
            time.sleep(0.05)  # let the daemon go idle again
        lat.sort()
        if lat:
            p95 = lat[min(len(lat) - 1, int(round(0.95 * len(lat))) - 1)]
            print("%s: %d/%d alerted; latency ms: median %.1f, p95 %.1f, min %.1f, max %.1f "
                  "(debounce %d ms; target median <= %d ms)"
                  % (label, len(lat), n, statistics.median(lat), p95, lat[0], lat[-1],
                     a.debounce_ms, a.debounce_ms + 50), flush=True)

    # 1. one document at a time
    singles(a.singles, "single", "singles")

    # 2. bursts
    rows = []
    for b in range(a.bursts):
        d = 0 if a.same_files else b
        sub = os.path.join(docs, "burst%02d" % d)
        os.makedirs(sub, exist_ok=True)
        names = ["docs/burst%02d/b%05d.txt" % (d, i) for i in range(a.burst_size)]
        bodies = [text() for _ in names]
        alerts.poll()
        alerts.paths.difference_update(names)  # --same-files: wait for this burst's alerts
        t0 = time.monotonic()
        for n, body in zip(names, bodies):
            write_doc(os.path.join(work, n), body)
        t_written = time.monotonic() - t0
        last_change, seen = time.monotonic(), -1
        while True:
            alerts.poll()
            got = sum(1 for n in names if n in alerts.paths)
            if got != seen:
                seen, last_change = got, time.monotonic()
            if got == len(names) or time.monotonic() - last_change > 120:
                break
            time.sleep(0.05)
        t_all = time.monotonic() - t0
        time.sleep(1.0)  # let the daemon settle before reading its RSS
        out = subprocess.run([BIN, "--config", conf, "show", "documents", "--format", "json"],
                             capture_output=True, text=True)
        stored = len(json.loads(out.stdout)) if out.returncode == 0 else -1
        rows.append((b + 1, t_written, t_all, got, stored, alerts.lines, rss_kb(p.pid)))
        print("burst %2d: written in %.2f s, all %d alerted after %.1f s (got %d); "
              "documents stored %d, alert lines %d, VmRSS %d kB; load %s"
              % (b + 1, t_written, len(names), t_all, got, stored, alerts.lines, rows[-1][6],
                 open("/proc/loadavg").read().split()[0]), flush=True)

    # 3. one document at a time again, in the dossier the bursts made
    singles(a.singles_after, "after", "singles after the bursts")

    user, system = cpu_s(p.pid)
    print("daemon CPU time: user %.2f s, sys %.2f s" % (user, system))
    p.terminate()
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
    print("daemon exit code %s" % p.returncode)
    if rows:
        first, last = rows[0][6], rows[-1][6]
        print("VmRSS after burst 1: %d kB, after burst %d: %d kB: growth %+.1f%% (target <= 10%%)"
              % (first, len(rows), last, (last - first) * 100.0 / first))
    if not a.keep:
        import shutil
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
