#!/usr/bin/env python3
"""Checks `vigil scan --rules` against the SigmaHQ regression cases.

  check_sigma_regression.py SIGMA_DIR ALERTS_JSON [--list-others]

Each regression case (an info.yml under SIGMA_DIR/regression) names a rule by id and an event
file beside it on which that rule must fire match_count times. ALERTS_JSON holds the alerts of
one `vigil scan --rules ... -o json` over every event file. Prints every case that failed and
the count of other rules that fired on the regression events (each listed with --list-others);
exits 1 unless every case passed.
"""
import collections
import json
import os
import re
import sys


def cases(sigma):
    for root, _, files in os.walk(os.path.join(sigma, "regression")):
        if "info.yml" not in files:
            continue
        text = open(os.path.join(root, "info.yml"), encoding="utf-8").read()
        rule = re.search(r"rule_metadata:\s*\n\s*-\s*id:\s*([0-9a-fA-F-]+)", text).group(1)
        counts = [int(c) for c in re.findall(r"match_count:\s*(\d+)", text)] or [1]
        events = sorted(os.path.join(root, f) for f in files if f.endswith(".json"))
        yield root, rule, sum(counts), events


def main():
    sigma, alerts_path = sys.argv[1], sys.argv[2]
    fired = collections.Counter()
    for line in open(alerts_path, encoding="utf-8"):
        a = json.loads(line)
        if a["alert"]["kind"] == "sigma":
            fired[(os.path.realpath(a["alert"]["input"]), a["rule"].get("id"))] += 1
    ok = bad = 0
    expected = set()
    skipped = []
    for root, rule, count, events in sorted(cases(sigma)):
        if not events:
            skipped.append(root)
            print("SKIP %s: rule %s: the case has no event file in the shared data"
                  % (os.path.relpath(root, sigma), rule))
            continue
        got = sum(fired[(os.path.realpath(e), rule)] for e in events)
        for e in events:
            expected.add((os.path.realpath(e), rule))
        if got >= count:
            ok += 1
        else:
            bad += 1
            print("FAIL %s: rule %s fired %d times, expected %d" % (os.path.relpath(root, sigma), rule, got, count))
    others = {k: v for k, v in fired.items() if k not in expected}
    print("regression: %d of %d cases with an event pass (%.1f%%), %d without an event; %d other alerts by %d "
          "rules on the same events" % (ok, ok + bad, 100.0 * ok / max(ok + bad, 1), len(skipped),
                                        sum(others.values()), len({k[1] for k in others})))
    if "--list-others" in sys.argv:
        for (path, rule), n in sorted(others.items()):
            print("  other: %s: %s x%d" % (os.path.relpath(path, sigma), rule, n))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
