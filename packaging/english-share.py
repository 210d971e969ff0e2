#!/usr/bin/env python3
"""Share of the words in model output that are English words, by Debian's wamerican list.

    english-share.py [--words FILE] [--label TEXT] [--min PERCENT] FILE...

Each FILE holds texts, one per line; a line that is the JSON of `hindsight generate --json`
counts its samples' texts. A word is a run of letters (with inner apostrophes: don't, I'm);
numbers and punctuation are not words. Prints "LABEL: P% English words (N of M words, T texts)"
and exits 1 when --min is given and not reached (2 when there are no words or no word list).
"""
import argparse
import json
import re
import sys

WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")


def texts(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith("{"):
                try:
                    doc = json.loads(line)
                except json.JSONDecodeError:
                    doc = None
                if isinstance(doc, dict) and "samples" in doc:
                    for s in doc["samples"]:
                        yield s.get("text", "")
                    continue
            yield line


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--words", default="/usr/share/dict/american-english")
    ap.add_argument("--label", default="replies")
    ap.add_argument("--min", type=float, default=None)
    a = ap.parse_args()
    try:
        with open(a.words, encoding="utf-8", errors="replace") as f:
            english = {w.strip().lower() for w in f if w.strip()}
    except OSError as e:
        print(f"english-share: no word list ({e}); install wamerican", file=sys.stderr)
        return 2
    n_texts = n_words = n_english = 0
    for path in a.files:
        for t in texts(path):
            n_texts += 1
            for w in WORD.findall(t):
                n_words += 1
                n_english += w.lower() in english
    if n_words == 0:
        print(f"{a.label}: no words in {n_texts} texts", file=sys.stderr)
        return 2
    share = 100.0 * n_english / n_words
    print(f"{a.label}: {share:.1f}% English words ({n_english} of {n_words} words, {n_texts} texts)")
    return 1 if a.min is not None and share < a.min else 0


if __name__ == "__main__":
    sys.exit(main())
