"""Shared plumbing of the Python harnesses: arguments, loading, the JSON line.

Every harness is its own process:
    <harness> --lexicon PATH --corpus PATH [--unit whole|line]
and prints ONE JSON line
    {"tool", "terms", "build_s", "scan_s", "bytes", "matches", "mb_per_s", ...}
Timing: the lexicon and the corpus are read into memory first (not timed);
build_s = term list -> ready automaton; scan_s = find / iterate all matches
over the whole corpus (--unit whole: one call on the whole text; --unit line:
one call per line, lines split before timing). MB = 10^6 bytes of UTF-8.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

now = time.perf_counter


def parse_args(extra=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--lexicon", required=True, help=".txt (one term a line) or bylaw .tsv (first column)")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--unit", choices=["whole", "line"], default="whole")
    if extra:
        extra(ap)
    return ap.parse_args()


def load_terms(path: str) -> list[str]:
    terms = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            terms.append(line.split("\t", 1)[0])
    return terms


def load_corpus(path: str, unit: str):
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")
    units = [text] if unit == "whole" else text.split("\n")
    return len(raw), units


def emit(tool, terms, build_s, scan_s, nbytes, matches, **extra):
    out = {"tool": tool, "terms": terms, "build_s": round(build_s, 6), "scan_s": round(scan_s, 6),
           "bytes": nbytes, "matches": matches,
           "mb_per_s": round(nbytes / 1e6 / scan_s, 3) if scan_s > 0 else None}
    out.update(extra)
    print(json.dumps(out, ensure_ascii=False))
    sys.stdout.flush()
