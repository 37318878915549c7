#!/usr/bin/env python3
"""Turns the runs collected by run.sh into the comparison table and data/results.json.

Ratios are all oriented so that > 1 means bylaw is better:
  speed x = bylaw MB/s / tool MB/s
  build x = tool build s / bylaw build s
  mem x   = tool peak MB / bylaw peak MB
The bylaw reference of a peer: bylaw-chain for matcher-py-chain(-pinyin),
bylaw-raw for every raw matcher (pyahocorasick, ahocorasick-rs,
matcher-py-raw, mint-filter).
MB = 10^6 bytes; MB/s is recomputed here from bytes / scan_s.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform

ORDER = ["bylaw-chain-nosound", "matcher-py-chain", "bylaw-chain", "matcher-py-chain-pinyin",
         "bylaw-raw", "pyahocorasick", "pyahocorasick-ll", "ahocorasick-rs",
         "ahocorasick-rs-ll", "matcher-py-raw", "mint-filter"]
# tg-bench (crates/textguard/examples/tg-bench.rs) scans line by line in the
# chain and the whole corpus at once in raw mode; it does not report its unit.
BYLAW_UNIT = {"bylaw-chain": "line", "bylaw-chain-nosound": "line", "bylaw-raw": "whole"}
SIZE_ORDER = ["1k", "10k", "100k", "350k"]
# (bylaw tool, peer tool, minimum speed ratio, sizes the target applies to) from ISSUE3
# The comparable chains: bylaw without its sound channel against matcher_py's
# fanjian+delete+normalize; bylaw with sound against matcher_py with pinyin.
TARGETS = [("bylaw-chain-nosound", "matcher-py-chain", 1.2, {"10k", "100k"}),
           ("bylaw-chain", "matcher-py-chain-pinyin", 1.2, {"10k", "100k"}),
           ("bylaw-raw", "pyahocorasick", 1.0, set(SIZE_ORDER))]


def ref_of(tool: str) -> str | None:
    if tool.startswith("bylaw-"):
        return None
    if tool == "matcher-py-chain":
        return "bylaw-chain-nosound"
    return "bylaw-chain" if tool.startswith("matcher-py-chain") else "bylaw-raw"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def best_rows(runs):
    """One row per (size, tool): fastest scan over repeats, min build, max peak."""
    groups = {}
    for r in runs:
        key = (r["size"], r.get("requested_tool", r["tool"]))
        groups.setdefault(key, []).append(r)
    rows = {}
    for (size, tool), rs in groups.items():
        ok = [r for r in rs if "scan_s" in r]
        if not ok:
            rows[(size, tool)] = {"size": size, "tool": tool,
                                  "status": "skipped" if all(r.get("skipped") for r in rs) else "failed",
                                  "error": next((r.get("error") for r in rs if r.get("error")), None)}
            continue
        best = min(ok, key=lambda r: r["scan_s"])
        peaks = [r["peak_kb"] for r in ok if r.get("peak_kb")]
        rows[(size, tool)] = {
            "size": size, "tool": tool, "status": "ok", "terms": best["terms"],
            "build_s": min(r["build_s"] for r in ok), "scan_s": best["scan_s"],
            "bytes": best["bytes"], "matches": best["matches"],
            "mb_per_s": best["bytes"] / 1e6 / best["scan_s"] if best["scan_s"] > 0 else None,
            "peak_mb": max(peaks) / 1024 if peaks else None, "repeats": len(ok),
            "unit": best.get("unit") or BYLAW_UNIT.get(tool),
            "semantics": best.get("semantics"), "version": best.get("version"),
        }
        for k in ("p50_us", "p99_us"):
            if k in best:
                rows[(size, tool)][k] = best[k]
    return rows


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt(x, nd=2, suffix=""):
    if x is None:
        return "-"
    if isinstance(x, float):
        if abs(x) >= 100:
            return f"{x:.0f}{suffix}"
        return f"{x:.{nd}f}{suffix}"
    return f"{x}{suffix}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--unit", default="whole")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--peak-method", default="")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    with open(args.runs, encoding="utf-8") as f:
        runs = [json.loads(line) for line in f if line.strip()]
    rows = best_rows(runs)

    sizes = sorted({s for s, _ in rows}, key=lambda s: SIZE_ORDER.index(s) if s in SIZE_ORDER else 99)
    tools = sorted({t for _, t in rows}, key=lambda t: ORDER.index(t) if t in ORDER else 99)

    for (size, tool), row in rows.items():
        ref = ref_of(tool)
        b = rows.get((size, ref)) if ref else None
        if row["status"] == "ok" and b and b["status"] == "ok":
            row["ratio_to"] = ref
            row["speed_x"] = ratio(b["mb_per_s"], row["mb_per_s"])
            row["build_x"] = ratio(row["build_s"], b["build_s"])
            row["mem_x"] = ratio(row["peak_mb"], b["peak_mb"])

    corpus_bytes = os.path.getsize(args.corpus)
    lat = any("p99_us" in r for r in rows.values())
    hdr = ["tool", "terms", "unit", "build s", "MB/s", "peak MB", "matches", "vs", "speed x", "build x", "mem x"]
    if lat:
        hdr += ["p50 us", "p99 us"]
    table = []
    for size in sizes:
        for tool in tools:
            row = rows.get((size, tool))
            if not row:
                continue
            if row["status"] != "ok":
                table.append([tool, size, row["status"]] + [""] * (len(hdr) - 3))
                continue
            cells = [tool, f"{row['terms']:,}", row.get("unit") or "?", fmt(row["build_s"], 3),
                     fmt(row["mb_per_s"], 1), fmt(row["peak_mb"], 0), f"{row['matches']:,}",
                     row.get("ratio_to", ""), fmt(row.get("speed_x"), 2, "x"),
                     fmt(row.get("build_x"), 2, "x"), fmt(row.get("mem_x"), 2, "x")]
            if lat:
                cells += [fmt(row.get("p50_us"), 1), fmt(row.get("p99_us"), 1)]
            table.append(cells)
        table.append(None)
    widths = [max(len(hdr[i]), *(len(r[i]) for r in table if r)) for i in range(len(hdr))]

    def line(cells):
        return "  ".join(c.ljust(widths[i]) if hdr[i] in ("tool", "unit", "vs") else c.rjust(widths[i]) for i, c in enumerate(cells))

    print()
    print(f"corpus: {args.corpus} ({corpus_bytes / 1e6:.1f} MB), --unit {args.unit}, "
          f"best of {args.repeat}, peak memory: {args.peak_method}")
    print(f"host: {cpu_model()}, {os.cpu_count()} cpus")
    print("ratios: >1 means bylaw is better (speed x = bylaw MB/s / tool MB/s; "
          "build x = tool build / bylaw build; mem x = tool peak / bylaw peak)")
    print()
    print(line(hdr))
    print(line(["-" * w for w in widths]))
    for r in table:
        print(line(r) if r else "")

    checks = []
    for bylaw, peer, need, at in TARGETS:
        for size in sizes:
            if size not in at:
                continue
            row = rows.get((size, peer))
            x = row.get("speed_x") if row else None
            checks.append({"size": size, "bylaw": bylaw, "peer": peer, "need_speed_x": need,
                           "speed_x": x, "met": None if x is None else x >= need})
    print("targets (ISSUE3):")
    for c in checks:
        state = "n/a (missing run)" if c["met"] is None else ("MET" if c["met"] else "NOT MET")
        print(f"  {c['size']:>5}: {c['bylaw']} / {c['peer']} throughput = "
              f"{fmt(c['speed_x'], 2, 'x')} (need >= {c['need_speed_x']}x): {state}")

    out = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host": {"cpu": cpu_model(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "corpus": {"path": os.path.relpath(args.corpus), "bytes": corpus_bytes},
        "unit": args.unit, "repeat": args.repeat, "peak_method": args.peak_method,
        "rows": [rows[(s, t)] for s in sizes for t in tools if (s, t) in rows],
        "targets": checks, "runs": runs,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
