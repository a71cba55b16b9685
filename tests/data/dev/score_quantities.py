#!/usr/bin/env python3
"""Quantities P/R/F1 for the dev set (shared/eval/score.py does not score them).

Usage: score_quantities.py GOLD_DIR PRED.jsonl [--verbose]
A predicted quantity matches a gold one when both are equal after score.py's
normalization (multiset matching per document).
"""
import collections
import json
import os
import sys

sys.path.insert(0, "/work/shared/eval")
from score import norm  # noqa: E402


def main(argv):
    gold_dir, pred_path = argv[0], argv[1]
    verbose = "--verbose" in argv
    gold = {}
    for f in sorted(os.listdir(gold_dir)):
        if f.endswith(".json"):
            g = json.load(open(os.path.join(gold_dir, f), encoding="utf-8"))
            gold[g["doc"]] = g
    pred = {}
    for line in open(pred_path, encoding="utf-8"):
        if line.strip():
            p = json.loads(line)
            pred[os.path.basename(p["doc"])] = p
    tp = npred = ngold = 0
    for doc, g in gold.items():
        gq = collections.Counter(norm(q) for q in g.get("quantities", []))
        pq = collections.Counter(norm(q) for q in pred.get(doc, {}).get("quantities", []) or [])
        t = sum((gq & pq).values())
        tp, npred, ngold = tp + t, npred + sum(pq.values()), ngold + sum(gq.values())
        if verbose and gq != pq:
            print(f"{doc}: missed {list((gq - pq).elements())} extra {list((pq - gq).elements())}")
    p = tp / npred if npred else 1.0
    r = tp / ngold if ngold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"quantities P={p:.3f} R={r:.3f} F1={f:.3f}  (tp={tp} pred={npred} gold={ngold})")


if __name__ == "__main__":
    main(sys.argv[1:])
