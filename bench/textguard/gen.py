#!/usr/bin/env python3
"""Builds the textguard benchmark data, deterministically, offline.

    .venv/bin/python gen.py                  # data/corpus.txt (60 MB) + lexicons
    .venv/bin/python gen.py --corpus-mb 5    # data/corpus-5mb.txt + lexicons

Word source: the dict.txt bundled with jieba (word, frequency, POS; ~349k
entries). Seed texts: ../shared/seeds/[0-9]*.txt relative to the repo root.

Corpus (one "message" per line, Chinese-dominant):
  * ~88% of lines: 1-6 sentences of 3-18 jieba words drawn by dictionary
    frequency, ended by Chinese punctuation; ~12% of sentences carry an ASCII
    token (English word, number, date, price, phone-like digits, URL);
  * ~10% of lines: the next line of the seed texts (cyclic, so every seed line
    appears, many times);
  * ~2% of lines: a light "evasion" (noise between the characters of a word,
    full-width ASCII), so that normalising matchers have something to do.
  A corpus of N MB is a prefix of any larger one (same random stream).
  MB = 10^6 bytes (UTF-8).

Lexicons lex-1k/10k/100k/350k (.txt: one term per line; .tsv: bylaw format
`term<TAB>other<TAB>review`): the 2+-character, all-CJK words of dict.txt in a
seeded shuffle; each lexicon is a prefix of the next. dict.txt has only
337,394 such words, so lex-350k is padded with deterministic concatenations
of 2-4 of them (see data/lexicons.json).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SEED = 20240308  # date of the wecom-account rules; any constant works
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "350k": 350_000}
CJK_WORD = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")

SENT_END = ["。"] * 10 + ["！"] * 2 + ["？"] * 2 + ["；", "……", "~"]
SENT_MID = ["，"] * 8 + ["、", "：", " "]
ASCII_WORDS = [
    "OK", "APP", "WiFi", "VIP", "QQ", "ID", "PDF", "CEO", "AI", "iPhone",
    "hello", "bug", "KPI", "SaaS", "API", "PPT", "Excel", "live", "offer",
    "free", "sale", "link", "vx", "wx", "DM", "HR", "GPS", "NFC", "5G", "CPU",
]
NOISE = ["*", " ", ".", "-", "_", "|", "~", "#", "\u200b", "・", "♡", "☆"]


def jieba_dict_path() -> str:
    try:
        import jieba  # noqa: F401
    except ImportError:
        sys.exit("gen.py: jieba is not installed; run setup.sh and use .venv/bin/python")
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    if not os.path.exists(path):
        sys.exit(f"gen.py: {path} missing")
    return path


def load_dict(path: str):
    words, freqs = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            words.append(parts[0])
            freqs.append(int(parts[1]))
    return words, freqs


def load_seeds(seed_dir: str) -> list[str]:
    files = sorted(glob.glob(os.path.join(seed_dir, "[0-9]*.txt")))
    if not files:
        print(f"gen.py: WARNING: no seed texts under {seed_dir}; corpus has no seed lines",
              file=sys.stderr)
        return []
    lines = []
    for fn in files:
        with open(fn, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    lines.append(line)
    return lines


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


class Corpus:
    def __init__(self, words, freqs, seed_lines, rng: random.Random):
        self.words = words
        self.cum = []
        acc = 0
        for fr in freqs:
            acc += fr
            self.cum.append(acc)
        self.seed_lines = seed_lines
        self.seed_pos = 0
        self.rng = rng
        self.buf: list[str] = []
        self.long_words = [w for w in words if len(w) >= 2 and CJK_WORD.match(w)]

    def word(self) -> str:
        if not self.buf:
            self.buf = self.rng.choices(self.words, cum_weights=self.cum, k=1 << 16)
        return self.buf.pop()

    def ascii_token(self) -> str:
        r = self.rng
        k = r.randrange(7)
        if k == 0 or k == 1:
            return r.choice(ASCII_WORDS)
        if k == 2:
            return str(r.randrange(1, 1000))
        if k == 3:
            return f"{r.randrange(1990, 2030)}年{r.randrange(1, 13)}月{r.randrange(1, 29)}日"
        if k == 4:
            return f"{r.randrange(1, 9999)}.{r.randrange(10)}元"
        if k == 5:
            return "1" + "".join(str(r.randrange(10)) for _ in range(10))
        return f"www.{r.choice(ASCII_WORDS).lower()}{r.randrange(100)}.com"

    def sentence(self) -> str:
        r = self.rng
        n = r.randint(3, 18)
        parts = [self.word() for _ in range(n)]
        if n > 8 and r.random() < 0.6:
            parts.insert(r.randrange(2, n - 2), r.choice(SENT_MID))
        if r.random() < 0.12:
            parts.insert(r.randrange(len(parts) + 1), self.ascii_token())
        return "".join(parts) + r.choice(SENT_END)

    def evasion(self) -> str:
        r = self.rng
        w = r.choice(self.long_words)
        if r.random() < 0.5:
            w = r.choice(NOISE).join(w)
        else:
            w = fullwidth(self.ascii_token()) + w
        s = self.sentence()
        i = r.randrange(len(s))
        return s[:i] + w + s[i:]

    def line(self) -> str:
        r = self.rng
        x = r.random()
        if x < 0.10 and self.seed_lines:
            s = self.seed_lines[self.seed_pos % len(self.seed_lines)]
            self.seed_pos += 1
            return s
        if x < 0.12:
            return self.evasion()
        return "".join(self.sentence() for _ in range(r.randint(1, 6)))


def write_corpus(path: str, target_bytes: int, words, freqs, seed_lines) -> dict:
    gen = Corpus(words, freqs, seed_lines, random.Random(SEED))
    total = 0
    lines = 0
    cjk = 0
    chars = 0
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        chunk = []
        while total < target_bytes:
            s = gen.line() + "\n"
            b = len(s.encode("utf-8"))
            total += b
            lines += 1
            chars += len(s)
            chunk.append(s)
            if len(chunk) >= 4096:
                block = "".join(chunk)
                cjk += len(re.findall(r"[\u3400-\u9fff]", block))
                f.write(block)
                chunk = []
        if chunk:
            block = "".join(chunk)
            cjk += len(re.findall(r"[\u3400-\u9fff]", block))
            f.write(block)
    os.replace(tmp, path)
    return {"path": os.path.relpath(path, HERE), "bytes": total, "lines": lines,
            "chars": chars, "cjk_share_of_chars": round(cjk / max(chars, 1), 4),
            "seed_lines_available": len(seed_lines)}


def lexicon_terms(words) -> tuple[list[str], int]:
    seen = set()
    cands = []
    for w in words:
        if len(w) >= 2 and CJK_WORD.match(w) and w not in seen:
            seen.add(w)
            cands.append(w)
    rng = random.Random(SEED + 1)
    rng.shuffle(cands)
    need = max(SIZES.values())
    padded = 0
    if len(cands) < need:
        prng = random.Random(SEED + 2)
        base = list(cands)
        while len(cands) < need:
            t = "".join(prng.choice(base) for _ in range(prng.randint(2, 4)))
            if t not in seen:
                seen.add(t)
                cands.append(t)
                padded += 1
    return cands, padded


def write_lexicons(data: str, words) -> dict:
    terms, padded = lexicon_terms(words)
    meta = {"source": "jieba dict.txt, 2+-char all-CJK words, shuffled with seed %d" % (SEED + 1),
            "dict_words_usable": len(terms) - padded,
            "padded_in_350k": padded, "files": {}}
    for name, n in SIZES.items():
        sub = terms[:n]
        txt = os.path.join(data, f"lex-{name}.txt")
        tsv = os.path.join(data, f"lex-{name}.tsv")
        with open(txt, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(sub) + "\n")
        with open(tsv, "w", encoding="utf-8", newline="\n") as f:
            f.write("# term\tcategory\tseverity\n")
            f.writelines(f"{t}\tother\treview\n" for t in sub)
        meta["files"][name] = {"terms": len(sub),
                               "padded": max(0, n - meta["dict_words_usable"])}
    return meta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus-mb", type=float, default=None,
                    help="write data/corpus-<N>mb.txt of N*10^6 bytes instead of data/corpus.txt (60 MB)")
    ap.add_argument("--seeds", default=os.path.join(REPO, "..", "shared", "seeds"),
                    help="directory of seed texts (default: <repo>/../shared/seeds)")
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--force", action="store_true", help="rebuild even if files exist")
    args = ap.parse_args()

    os.makedirs(args.data, exist_ok=True)
    if args.corpus_mb is None:
        corpus = os.path.join(args.data, "corpus.txt")
        target = 60_000_000
    else:
        n = args.corpus_mb
        tag = f"{int(n)}" if float(n).is_integer() else f"{n:g}"
        corpus = os.path.join(args.data, f"corpus-{tag}mb.txt")
        target = int(n * 1_000_000)

    dict_path = jieba_dict_path()
    words, freqs = load_dict(dict_path)
    meta_path = os.path.join(args.data, "lexicons.json")
    have_lex = all(os.path.exists(os.path.join(args.data, f"lex-{k}.{e}"))
                   for k in SIZES for e in ("txt", "tsv")) and os.path.exists(meta_path)
    if args.force or not have_lex:
        meta = write_lexicons(args.data, words)
        meta["dict"] = dict_path
        with open(meta_path, "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False, indent=1)
        print(f"[gen] lexicons: {meta['dict_words_usable']} usable dict words; "
              f"lex-350k padded with {meta['padded_in_350k']} concatenations of 2-4 words", file=sys.stderr)
    else:
        print("[gen] lexicons exist", file=sys.stderr)

    if args.force or not os.path.exists(corpus) or os.path.getsize(corpus) < target:
        seeds = load_seeds(args.seeds)
        info = write_corpus(corpus, target, words, freqs, seeds)
        with open(corpus + ".json", "w", encoding="utf-8") as f:
            json.dump(info, f, indent=1)
        print(f"[gen] corpus: {info}", file=sys.stderr)
    else:
        print(f"[gen] corpus exists: {corpus}", file=sys.stderr)
    print(corpus)


if __name__ == "__main__":
    main()
