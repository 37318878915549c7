#!/usr/bin/env python3
"""ahocorasick-rs (Python bindings of the Rust aho-corasick crate), raw exact.

Leftmost-longest non-overlapping matches (MatchKind.LeftmostLongest), the same
semantics as bylaw's lexicon automaton; all matches are materialised with
find_matches_as_indexes (one call per unit; the list is what is iterated).
"""
from importlib.metadata import version

import ahocorasick_rs as ac

from harness_common import emit, load_corpus, load_terms, now, parse_args


def main():
    args = parse_args()
    terms = load_terms(args.lexicon)
    nbytes, units = load_corpus(args.corpus, args.unit)

    t0 = now()
    a = ac.AhoCorasick(terms, matchkind=ac.MatchKind.LeftmostLongest)
    build = now() - t0

    t0 = now()
    n = 0
    for u in units:
        for _m in a.find_matches_as_indexes(u):
            n += 1
    scan = now() - t0
    emit("ahocorasick-rs", len(terms), build, scan, nbytes, n, semantics="leftmost-longest",
         unit=args.unit, version=version("ahocorasick-rs"))


if __name__ == "__main__":
    main()
