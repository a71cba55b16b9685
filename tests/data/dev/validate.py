#!/usr/bin/env python3
"""Check the dev-set gold files: schema, quotes, actors, surface forms.

Usage: python3 tests/data/dev/validate.py   (from the repository root, or anywhere)
Exit code 1 when any file has a problem.
"""
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
GOLD = os.path.join(HERE, "gold")
ETYPES = {"PERSON", "ORG", "LOCATION", "EQUIPMENT", "EVENT"}
CTYPES = {"AGREEMENT", "VISIT", "MEETING", "ACQUISITION", "MANUFACTURING", "RELATIONS",
          "ANNOUNCEMENT", "EXERCISE", "OTHER"}
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def norm(s):  # same normalization as shared/eval/score.py
    s = unicodedata.normalize("NFKC", s or "")
    s = DIACRITICS.sub("", s).translate(ALEF).lower()
    s = "".join(ch if ch.isalnum() else " " for ch in s)
    return " ".join(s.split())


def occurs(form, ntext):
    """form occurs as whole words in the normalized text, allowing leading clitics
    (و ف ب ل ك, and لل for ال after ل) as the gold guide drops them."""
    nf = norm(form)
    if not nf:
        return False
    alts = [re.escape(nf)]
    if nf.startswith("ال"):
        alts.append("ل" + re.escape(nf[2:]))  # لل+noun = ل + ال+noun
    pat = r"(?:^|\s)[وف]?[بلك]?(?:" + "|".join(alts) + r")(?=\s|$)"
    return re.search(pat, ntext) is not None


def check(path):
    errs = []
    g = json.load(open(path, encoding="utf-8"))
    base = os.path.splitext(os.path.basename(path))[0]
    if g.get("doc") != base + ".txt":
        errs.append(f"doc field {g.get('doc')!r} != {base}.txt")
    txt_path = os.path.join(HERE, base + ".txt")
    if not os.path.exists(txt_path):
        return [f"missing text {txt_path}"]
    text = open(txt_path, encoding="utf-8").read()
    ntext = " " + norm(text) + " "
    if set(g) != {"doc", "entities", "dates", "quantities", "claims"}:
        errs.append(f"top-level keys {sorted(g)}")
    names = {}
    for e in g["entities"]:
        if set(e) != {"type", "name", "aliases", "en"}:
            errs.append(f"entity keys {sorted(e)}")
        if e["type"] not in ETYPES:
            errs.append(f"entity type {e['type']}")
        forms = [e["name"]] + list(e["aliases"])
        if not any(occurs(f, ntext) for f in forms):
            errs.append(f"no form of {e['name']!r} occurs in the text")
        for f in forms:
            n = norm(f)
            if n in names and names[n] != e["name"]:
                errs.append(f"form {f!r} shared by {names[n]!r} and {e['name']!r}")
            names[n] = e["name"]
        for a in e["aliases"]:
            if not occurs(a, ntext):
                errs.append(f"alias {a!r} of {e['name']!r} not in text")
    canon = {e["name"] for e in g["entities"]}
    if len(canon) != len(g["entities"]):
        errs.append("duplicate canonical names")
    for d in g["dates"]:
        if not DATE.match(d):
            errs.append(f"bad date {d!r}")
    if g["dates"] != sorted(set(g["dates"])):
        errs.append("dates not sorted/unique")
    for q in g["quantities"]:
        if q not in text:
            errs.append(f"quantity {q!r} not in text")
    for c in g["claims"]:
        if set(c) != {"type", "actors", "date", "quote", "en"}:
            errs.append(f"claim keys {sorted(c)}")
        if c["type"] not in CTYPES:
            errs.append(f"claim type {c['type']}")
        if c["quote"] not in text:
            errs.append(f"quote not in text: {c['quote'][:60]!r}")
        if not c["actors"]:
            errs.append(f"claim without actors: {c['quote'][:40]!r}")
        for a in c["actors"]:
            if a not in canon:
                errs.append(f"actor {a!r} is not a canonical entity name")
        if c["date"] is not None and not DATE.match(c["date"]):
            errs.append(f"bad claim date {c['date']!r}")
    return errs


def main():
    bad = 0
    files = sorted(f for f in os.listdir(GOLD) if f.endswith(".json"))
    for f in files:
        errs = check(os.path.join(GOLD, f))
        for e in errs:
            print(f"{f}: {e}")
        bad += bool(errs)
    print(f"{len(files)} gold files, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
