#!/usr/bin/env python3
"""Spreads every SigmaHQ regression event through a generated event stream, deterministically.

  mix-regression.py REGRESSION_DIR GEN OUT

REGRESSION_DIR holds the regression events (pretty-printed JSON files, one or more JSON texts
each, a text being an event or a list of events); GEN is a stream of one JSON event per line
(bench/gen-data.py). Writes OUT: GEN's lines with the regression events, compacted one per
line, inserted at even intervals (the rest at the end). Used by bench-sigma.sh and
bench-serve.sh, so that some rules fire on an otherwise benign stream.
"""
import json, pathlib, sys
reg = []
for f in sorted(pathlib.Path(sys.argv[1]).rglob("*.json")):
    text = f.read_text(encoding="utf-8", errors="replace")
    docs, i, dec = [], 0, json.JSONDecoder()
    while True:   # one or more concatenated JSON texts
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        d, i = dec.raw_decode(text, i)
        docs.append(d)
    for d in docs:
        reg.extend(d if isinstance(d, list) else [d])
gen = open(sys.argv[2], encoding="utf-8").read().splitlines()
step = max(1, len(gen) // (len(reg) + 1))
with open(sys.argv[3], "w", encoding="utf-8") as out:
    k = 0
    for i, line in enumerate(gen, 1):
        out.write(line + "\n")
        if i % step == 0 and k < len(reg):
            out.write(json.dumps(reg[k], ensure_ascii=False) + "\n")
            k += 1
    for r in reg[k:]:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
