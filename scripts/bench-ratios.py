#!/usr/bin/env python3
"""Ratios from the criterion output of several runs (written by scripts/bench-idle.sh).

For every benchmark group, each groupwire variant is compared with each peer in the same group
and the same run: ratio = peer time / groupwire time (above 1: groupwire is faster). Prints the
load average of each run, then one row per pair: the median ratio over the runs, its spread
(lowest-highest), and the median times.

    scripts/bench-ratios.py bench-results/smtp.txt
"""
import re
import statistics
import sys

UNITS = {"ps": 1e-12, "ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
TIME = re.compile(r"time:\s+\[([\d.]+) (\S+) ([\d.]+) (\S+) ([\d.]+) (\S+)\]")


def runs_of(text):
    """[(load line, {benchmark id: median seconds})] for every run in the file."""
    runs, name = [], None
    for line in text.splitlines():
        if line.startswith("run "):
            runs.append((line, {}))
            continue
        stripped = line.strip()
        match = TIME.search(stripped)
        if match and runs:
            head = stripped[: stripped.index("time:")].strip()
            runs[-1][1][head or name] = float(match.group(3)) * UNITS[match.group(4)]
            name = None
        elif stripped and not stripped.startswith(("thrpt:", "change:", "Found", "Benchmarking")):
            name = stripped
    return runs


def split(bench_id):
    """(group, implementation, variant) of a benchmark id. The implementation is the component
    followed by a variant (`whole`, `chunked`, a size like `4KiB`: `group/impl/chunked/4096`,
    `group/impl/4KiB`), otherwise the last one (`group/impl`)."""
    parts = bench_id.split("/")
    for index, part in enumerate(parts[1:-1], start=1):
        if re.fullmatch(r"whole|chunked|\d+(KiB|MiB)?", parts[index + 1]):
            return "/".join(parts[:index]), part, "/".join(parts[index + 1 :])
    return "/".join(parts[:-1]), parts[-1], ""


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    runs = runs_of(text)
    for load, _ in runs:
        print(load)
    for line in text.splitlines():
        if line.startswith("end load"):
            print(line)
    rows = {}
    for _, times in runs:
        for bench_id in times:
            group, implementation, variant = split(bench_id)
            rows.setdefault((group, variant), set()).add(implementation)
    print("| group | groupwire | peer | ratio (median) | spread | groupwire | peer |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for (group, variant), implementations in rows.items():
        ours = sorted(i for i in implementations if i.startswith("groupwire"))
        peers = sorted(i for i in implementations if not i.startswith("groupwire"))
        for own in ours:
            for peer in peers:
                key = lambda i: "/".join(p for p in (group, i, variant) if p)
                pairs = [
                    (times[key(peer)], times[key(own)])
                    for _, times in runs
                    if key(peer) in times and key(own) in times
                ]
                if not pairs:
                    continue
                ratios = [p / o for p, o in pairs]
                label = f"{group} {variant}".strip()
                print(
                    f"| {label} | {own} | {peer} | {statistics.median(ratios):.2f}x | "
                    f"{min(ratios):.2f}-{max(ratios):.2f} | "
                    f"{statistics.median(o for _, o in pairs) * 1e6:,.1f} µs | "
                    f"{statistics.median(p for p, _ in pairs) * 1e6:,.1f} µs |"
                )


if __name__ == "__main__":
    main()
