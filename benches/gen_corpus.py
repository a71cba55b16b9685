#!/usr/bin/env python3
"""Deterministic benchmark corpus built from the sentences of seeds/.

Every generated document is a shuffle of sentences taken from the seed documents (so the text
has the seeds' vocabulary, names, dates and quantities), with a paragraph break every few
sentences. Same arguments, same bytes: the random generator is seeded.

Unless --verbatim, each document also renames the countries and capitals the seeds name (one
random pick from the extractor's gazetteers per seed name, per document) and redraws its numbers
(years excepted). Without this, every generated document repeats the same few claims
(same type, same two actors), so every claim is "corroborated" by every earlier document and the
corroboration lists, hence the work and the alerts, grow with the corpus: a degenerate dossier.

With --distinct, the people, organisations and named events the extractor finds in the seeds
(`dossier extract` on seeds/, so a release build is needed) are renamed per document too: a
person becomes two random given names, an organisation or event keeps its first word (قمة،
مذكرة، وزارة...) followed by a random capital or place. Documents then share far fewer claim
keys: a dossier of many stories rather than one story told 10,000 times.

    gen_corpus.py OUT --docs N [--per-dir 1000] [--seed 42] [--sentences 30]
    gen_corpus.py OUT --bytes 20000000 [--seed 42]     # flat folder, documents of ~the seed size

Documents go to OUT/d0000/doc000000.txt ... (folders of --per-dir files) with --docs, or
OUT/doc000000.txt ... with --bytes.
"""

import argparse
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "..", "seeds")


def seed_sentences():
    sentences = []
    for name in sorted(os.listdir(SEEDS)):
        with open(os.path.join(SEEDS, name), encoding="utf-8-sig") as f:
            text = f.read()
        # A sentence ends at . ! ? ؟ or a line break; keep the terminator.
        for s in re.split(r"(?<=[.!?؟])\s+|\n+", text):
            s = s.strip()
            if len(s) >= 20:
                sentences.append(s)
    if not sentences:
        sys.exit("no sentence found in seeds/")
    return sentences


DATA = os.path.join(HERE, "..", "crates", "extract", "src", "data")
ARABIC_LETTER = "\u0621-\u064a"


def gazetteer():
    names = []
    for f in ("gazetteer_countries.txt", "gazetteer_capitals.txt"):
        with open(os.path.join(DATA, f), encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line and not line.startswith("#"):
                    names.append(line.split("|")[0].strip())
    return names


def data_lines(name):
    out = []
    with open(os.path.join(DATA, name), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line.split("|")[0].split(";")[0].strip())
    return out


def seed_entities():
    """(type, surface) of every entity and alias `dossier extract` finds in seeds/."""
    import json
    import subprocess

    exe = os.path.join(HERE, "..", "target", "release", "dossier")
    files = [os.path.join(SEEDS, f) for f in sorted(os.listdir(SEEDS))]
    out = subprocess.run([exe, "extract", "--format", "json"] + files, check=True,
                         capture_output=True, text=True).stdout
    found = set()
    for line in out.splitlines():
        for e in json.loads(line)["entities"]:
            for n in [e["name"]] + e["aliases"]:
                found.add((e["type"], n))
    return sorted(found)


class Varier:
    """Renames the seeds' countries and capitals (and with `distinct`, people, organisations and
    events) and redraws numbers, per document."""

    def __init__(self, sentences, distinct=False):
        self.names = gazetteer()
        text = "\n".join(sentences)
        self.used = [n for n in self.names if n in text]
        self.others = []  # (type, surface) renamed only with `distinct`
        if distinct:
            self.given = data_lines("given_names.txt")
            self.places = data_lines("gazetteer_capitals.txt") + data_lines("gazetteer_places.txt")
            self.others = [(t, n) for t, n in seed_entities()
                           if t in ("PERSON", "ORG", "EVENT") and n in text and n not in self.used]
        # A name at a word start (after a space or a one-letter clitic), not inside a longer word.
        every = self.used + [n for _, n in self.others]
        alt = "|".join(re.escape(n) for n in sorted(set(every), key=len, reverse=True))
        self.name_re = re.compile(
            "(?<![%s])([وبفلك]?)(%s)(?![%s])" % (ARABIC_LETTER, alt, ARABIC_LETTER)
        )
        self.num_re = re.compile(r"\d+")

    def apply(self, rng, sentence, mapping):
        s = self.name_re.sub(lambda m: m.group(1) + mapping[m.group(2)], sentence)

        def num(m):
            t = m.group(0)
            if len(t) == 4 and t[:2] in ("19", "20"):
                return t  # years kept: redrawn years would make every dated claim contradict
            if len(t) == 1:
                return str(rng.randint(1, 9))
            return str(rng.randint(10 ** (len(t) - 1), 10 ** len(t) - 1))

        return self.num_re.sub(num, s)

    def mapping(self, rng):
        picks = rng.sample(self.names, len(self.used))
        m = dict(zip(self.used, picks))
        for t, n in self.others:
            if t == "PERSON":
                m[n] = "%s %s" % (rng.choice(self.given), rng.choice(self.given))
            else:
                m[n] = "%s %s" % (n.split()[0], rng.choice(self.places))
        return m


def document(rng, sentences, count, varier=None):
    picked = [rng.choice(sentences) for _ in range(count)]
    if varier is not None:
        mapping = varier.mapping(rng)
        picked = [varier.apply(rng, s, mapping) for s in picked]
    paras, para = [], []
    for s in picked:
        para.append(s)
        if len(para) >= rng.randint(2, 5):
            paras.append(" ".join(para))
            para = []
    if para:
        paras.append(" ".join(para))
    return "\n\n".join(paras) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--docs", type=int)
    ap.add_argument("--bytes", type=int)
    ap.add_argument("--per-dir", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--sentences", type=int, default=30, help="mean sentences per document")
    ap.add_argument("--verbatim", action="store_true", help="seed sentences as they are")
    ap.add_argument("--distinct", action="store_true",
                    help="rename people, organisations and events per document too")
    a = ap.parse_args()
    if (a.docs is None) == (a.bytes is None):
        sys.exit("give exactly one of --docs or --bytes")
    sentences = seed_sentences()
    rng = random.Random(a.seed)
    varier = None if a.verbatim else Varier(sentences, a.distinct)
    os.makedirs(a.out, exist_ok=True)
    total, i = 0, 0
    while (a.docs is not None and i < a.docs) or (a.bytes is not None and total < a.bytes):
        n = rng.randint(max(1, a.sentences // 2), a.sentences * 3 // 2)
        data = document(rng, sentences, n, varier).encode("utf-8")
        if a.docs is not None:
            d = os.path.join(a.out, "d%04d" % (i // a.per_dir))
            if i % a.per_dir == 0:
                os.makedirs(d, exist_ok=True)
        else:
            d = a.out
        with open(os.path.join(d, "doc%06d.txt" % i), "wb") as f:
            f.write(data)
        total += len(data)
        i += 1
    print("%d documents, %d bytes in %s" % (i, total, a.out))


if __name__ == "__main__":
    main()
