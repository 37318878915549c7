#!/usr/bin/env python3
"""pyahocorasick (C extension), raw exact matching.

Default semantics: leftmost-longest, non-overlapping (Automaton.iter_long),
the same as bylaw's lexicon automaton and ahocorasick-rs's LeftmostLongest,
so the three report the same match count. --overlapping uses Automaton.iter
(every occurrence of every term, the classic Aho-Corasick output).
"""
import ahocorasick

from harness_common import emit, load_corpus, load_terms, now, parse_args


def main():
    args = parse_args(lambda ap: ap.add_argument("--overlapping", action="store_true"))
    terms = load_terms(args.lexicon)
    nbytes, units = load_corpus(args.corpus, args.unit)

    t0 = now()
    a = ahocorasick.Automaton()
    for i, t in enumerate(terms):
        a.add_word(t, i)
    a.make_automaton()
    build = now() - t0

    it = a.iter if args.overlapping else a.iter_long
    t0 = now()
    n = 0
    for u in units:
        for _end, _idx in it(u):
            n += 1
    scan = now() - t0
    emit("pyahocorasick" + ("-overlap" if args.overlapping else ""), len(terms), build, scan, nbytes, n,
         semantics="overlapping" if args.overlapping else "leftmost-longest", unit=args.unit,
         version=ahocorasick.__version__ if hasattr(ahocorasick, "__version__") else None)


if __name__ == "__main__":
    main()
