#!/usr/bin/env python3
"""sigma-mutate: variants of JSON events that probe where the Sigma prefilter could differ from
the reference matcher (used by sigma-fast-differential.sh).

Reads JSON events (files of one or more JSON texts, or NDJSON) and writes NDJSON: each event
as it is, then variants of it, each changing every string or number value the same way:
  upper    ASCII upper case (case-insensitive matching)
  swap     full Unicode swapcase (Cyrillic, Greek and other cased scripts)
  dash     '-' as '/', en dash and em dash in turn (windash)
  hazard   's' as U+017F and 'k' as U+212A (non-ASCII letters that fold to ASCII)
  number   numbers written as 4688.0 or as strings with a leading zero
  array    strings wrapped in one-element arrays
"""
import json
import sys

DASHES = ["/", "\u2013", "\u2014"]


def walk(v, f):
    if isinstance(v, dict):
        return {k: walk(x, f) for k, x in v.items()}
    if isinstance(v, list):
        return [walk(x, f) for x in v]
    return f(v)


def on_str(g):
    return lambda v: g(v) if isinstance(v, str) else v


def number(v):
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        return v
    if isinstance(v, int):
        return float(v)
    return "0" + v if v.isdigit() else v


def variants(ev):
    yield ev
    yield walk(ev, on_str(str.upper))
    yield walk(ev, on_str(str.swapcase))
    for i, d in enumerate(DASHES):
        yield walk(ev, on_str(lambda s, d=d: s.replace("-", d)))
    yield walk(ev, on_str(lambda s: s.replace("s", "\u017f").replace("k", "\u212a")))
    yield walk(ev, number)
    yield walk(ev, lambda v: [v] if isinstance(v, str) else v)


def events(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    dec, i = json.JSONDecoder(), 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return
        doc, i = dec.raw_decode(text, i)
        yield from (doc if isinstance(doc, list) else [doc])


def main():
    out = sys.stdout
    for path in sys.argv[1:]:
        for ev in events(path):
            if not isinstance(ev, dict):
                continue
            for v in variants(ev):
                out.write(json.dumps(v, ensure_ascii=False) + "\n")


main()
