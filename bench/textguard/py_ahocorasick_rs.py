#!/usr/bin/env python3
"""ahocorasick-rs (Python bindings of the Rust aho-corasick crate), raw exact.

Default: overlapping find-all (MatchKind.Standard, overlapping=True), the
semantics of bylaw-raw and pyahocorasick's iter; all matches are materialised
with find_matches_as_indexes (one call per unit) and iterated.
--leftmost-longest: MatchKind.LeftmostLongest, non-overlapping -> tool ahocorasick-rs-ll.
"""
from importlib.metadata import version

import ahocorasick_rs as ac

from harness_common import emit, load_corpus, load_terms, now, parse_args


def main():
    args = parse_args(lambda ap: ap.add_argument("--leftmost-longest", action="store_true"))
    terms = load_terms(args.lexicon)
    nbytes, units = load_corpus(args.corpus, args.unit)
    ll = args.leftmost_longest

    t0 = now()
    a = ac.AhoCorasick(terms, matchkind=ac.MatchKind.LeftmostLongest if ll else ac.MatchKind.Standard)
    build = now() - t0

    t0 = now()
    n = 0
    for u in units:
        for _m in a.find_matches_as_indexes(u, overlapping=not ll):
            n += 1
    scan = now() - t0
    emit("ahocorasick-rs" + ("-ll" if ll else ""), len(terms), build, scan, nbytes, n,
         semantics="leftmost-longest" if ll else "overlapping", unit=args.unit,
         version=version("ahocorasick-rs"))


if __name__ == "__main__":
    main()
