#!/usr/bin/env python3
"""pyahocorasick (C extension), raw exact matching.

Default: overlapping find-all (Automaton.iter: every occurrence of every term),
the semantics of bylaw-raw (daachorse find_overlapping_iter) and of
ahocorasick-rs with overlapping=True, so the three report the same count.
--leftmost-longest: Automaton.iter_long (non-overlapping leftmost-longest,
the semantics of bylaw's lexicon automaton in the chain) -> tool pyahocorasick-ll.
"""
import ahocorasick

from harness_common import emit, load_corpus, load_terms, now, parse_args


def main():
    args = parse_args(lambda ap: ap.add_argument("--leftmost-longest", action="store_true"))
    terms = load_terms(args.lexicon)
    nbytes, units = load_corpus(args.corpus, args.unit)

    t0 = now()
    a = ahocorasick.Automaton()
    for i, t in enumerate(terms):
        a.add_word(t, i)
    a.make_automaton()
    build = now() - t0

    it = a.iter_long if args.leftmost_longest else a.iter
    t0 = now()
    n = 0
    for u in units:
        for _end, _idx in it(u):
            n += 1
    scan = now() - t0
    emit("pyahocorasick" + ("-ll" if args.leftmost_longest else ""), len(terms), build, scan, nbytes, n,
         semantics="leftmost-longest" if args.leftmost_longest else "overlapping", unit=args.unit,
         version=getattr(ahocorasick, "__version__", None) or _version())


def _version():
    from importlib.metadata import version
    return version("pyahocorasick")


if __name__ == "__main__":
    main()
