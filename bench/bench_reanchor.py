"""Re-anchoring every quote of the real page: ours (diff-match-patch) against a difflib baseline.

The target (issue 14): all quotes of the real page re-anchored in under 1 s. Measured on the page
itself and on seeded generated revisions (the generator of the tests, ``tests/revisions.py``),
with the baseline a user would reach for first: ``difflib.SequenceMatcher`` over the two texts,
each quote mapped through its matching blocks. The baseline finds only quotes that sit wholly
inside one unchanged block (no moves, no rewording, no ambiguity), so it is a floor for speed,
not a rival in quality; the table says how many quotes each placed.

Usage: ``python bench/bench_reanchor.py [--revisions N]``; prints a table; exits 1 if the target
is missed on the real page.
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from nato_iraq_kg.build.pipeline import assemble  # noqa: E402
from nato_iraq_kg.source.reanchor import Quote, reanchor  # noqa: E402
from revisions import generate  # noqa: E402  (the tests' seeded revision generator)

TARGET_S = 1.0


def difflib_anchor(old: str, new: str, quotes: list[Quote]) -> int:
    """Return how many quotes lie wholly inside one block difflib keeps (the baseline)."""
    blocks = difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks()
    placed = 0
    for quote in quotes:
        for a, _b, size in blocks:
            if a <= quote.start and quote.end <= a + size:
                placed += 1
                break
    return placed


def timed(work) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = work()
    return time.perf_counter() - start, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=10, help="generated revisions to time")
    args = parser.parse_args()

    result = assemble()
    source = result.revisions[-1]
    quotes = [
        Quote(str(a.evidence), a.quote, a.start, a.end)
        for a in result.assertions
        if a.source.slug == source.slug
    ]
    old = source.text
    rows = []

    ours_s, found = timed(lambda: reanchor(old, old, quotes))
    base_s, placed = timed(lambda: difflib_anchor(old, old, quotes))
    kept = sum(1 for f in found if not f.status.needs_review)  # type: ignore[attr-defined]
    rows.append(("the real page, unchanged", ours_s, kept, base_s, placed))

    ours_times, base_times, ours_kept, base_placed = [], [], [], []
    for seed in range(args.revisions):
        new = generate(old, seed).text
        seconds, found = timed(lambda new=new: reanchor(old, new, quotes))
        ours_times.append(seconds)
        ours_kept.append(sum(1 for f in found if not f.status.needs_review))  # type: ignore[attr-defined]
        seconds, placed = timed(lambda new=new: difflib_anchor(old, new, quotes))
        base_times.append(seconds)
        base_placed.append(placed)
    rows.append(
        (
            f"{args.revisions} generated revisions, median",
            statistics.median(ours_times),
            round(statistics.median(ours_kept)),
            statistics.median(base_times),
            round(statistics.median(base_placed)),
        )
    )
    rows.append(
        (
            f"{args.revisions} generated revisions, slowest",
            max(ours_times),
            min(ours_kept),
            max(base_times),
            min(base_placed),
        )
    )

    print(f"Re-anchoring {len(quotes)} quotes (target: under {TARGET_S:g} s on the real page)")
    header = (
        f"{'case':<38} {'ours s':>8} {'kept/moved':>10} {'difflib s':>10} {'placed':>7} "
        f"{'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for case, ours, kept, base, placed in rows:
        ratio = base / ours if ours else float("inf")
        print(f"{case:<38} {ours:>8.3f} {kept:>10} {base:>10.3f} {placed:>7} {ratio:>5.1f}x")
    met = rows[0][1] < TARGET_S and rows[2][1] < TARGET_S
    print(f"target {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
