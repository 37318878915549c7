#!/usr/bin/env python3
"""matcher_py (Python bindings of the Rust `matcher` crate, github.com/Lips7/Matcher).

--mode raw    ProcessType.NONE: exact matching              -> tool matcher-py-raw
--mode chain  ProcessType.VARIANT_NORM_DELETE_NORMALIZE        -> tool matcher-py-chain
              (traditional->simplified, delete noise/punctuation/spaces,
              normalise: full-width->half-width, lower case, numerals->digits);
              the chain comparable to bylaw's compact channel.
--mode chain-pinyin  chain | ROMANIZE (adds pinyin matching, as bylaw's pinyin
              channel does for 3+-syllable terms)       -> tool matcher-py-chain-pinyin

SimpleMatcher.process(text) returns the matched words of a text, DEDUPLICATED
(it is a per-message API), so with --unit whole `matches` counts distinct
terms found in the corpus, not occurrences; --unit line gives the sum over
lines of distinct terms per line. Either way the whole text is scanned.
"""
from importlib.metadata import version

from matcher_py import ProcessType, SimpleMatcherBuilder

from harness_common import emit, load_corpus, load_terms, now, parse_args

MODES = {
    "raw": ProcessType.NONE,
    "chain": ProcessType.VARIANT_NORM_DELETE_NORMALIZE,
    "chain-pinyin": ProcessType.VARIANT_NORM_DELETE_NORMALIZE | ProcessType.ROMANIZE,
}


def main():
    args = parse_args(lambda ap: ap.add_argument("--mode", choices=list(MODES), default="raw"))
    terms = load_terms(args.lexicon)
    nbytes, units = load_corpus(args.corpus, args.unit)
    pt = MODES[args.mode]

    t0 = now()
    b = SimpleMatcherBuilder()
    for i, t in enumerate(terms, 1):
        b.add_word(pt, i, t)
    m = b.build()
    build = now() - t0

    t0 = now()
    n = 0
    for u in units:
        for _r in m.process(u):
            n += 1
    scan = now() - t0
    emit("matcher-py-" + args.mode, len(terms), build, scan, nbytes, n,
         semantics="distinct terms per unit", process_type=int(pt), unit=args.unit,
         version=version("matcher_py"))


if __name__ == "__main__":
    main()
