"""Turn the measurements of bench/run.py into target statuses and one printable report."""

from __future__ import annotations

from typing import Any

MIB_PER_GIB = 1024


def _lines(results: dict[str, Any], kind: str, size: str, side: str) -> dict[str, Any] | None:
    """Return one step's record, or None if it did not run."""
    return results.get(kind, {}).get(size, {}).get(side)


def cq_times(record: dict[str, Any] | None) -> dict[str, float]:
    """Return the per-question medians (ms) a competency-question step reported."""
    if not record:
        return {}
    return {line["query"]: line["ms"] for line in record["lines"] if "query" in line}


def cq_ratio(results: dict[str, Any], size: str) -> tuple[float | None, int, int]:
    """Return rdflib's total time over ours on the questions both answered, and the counts."""
    ours = cq_times(_lines(results, "cq", size, "ours"))
    theirs = cq_times(_lines(results, "cq", size, "rdflib"))
    both = [q for q in theirs if q in ours]
    if not both:
        return None, 0, len(ours)
    return sum(theirs[q] for q in both) / sum(ours[q] for q in both), len(both), len(ours)


def first(record: dict[str, Any] | None, key: str) -> Any:
    """Return the first value of ``key`` a step reported."""
    if not record:
        return None
    return next((line[key] for line in record["lines"] if key in line), None)


def export_seconds(record: dict[str, Any] | None, fmt: str) -> float | None:
    """Return the seconds an export step took for one format."""
    if not record:
        return None
    return next((line["s"] for line in record["lines"] if line.get("format") == fmt), None)


def export_cpu(record: dict[str, Any] | None, fmt: str) -> float | None:
    """Return the CPU seconds an export step took for one format (None before they were kept)."""
    if not record:
        return None
    return next((line.get("cpu_s") for line in record["lines"] if line.get("format") == fmt), None)


def _export_figure(record: dict[str, Any] | None, fmt: str) -> str:
    """Return "1.2 s (0.9 s CPU)" for one format of an export step, or "stopped"."""
    wall, cpu = export_seconds(record, fmt), export_cpu(record, fmt)
    if wall is None:
        return "stopped"
    return f"{wall:.2f} s" + ("" if cpu is None else f" ({cpu:.2f} s CPU)")


def status(ok: bool | None) -> str:
    """Return a status word: met, MISSED, or not measured."""
    return "not measured" if ok is None else ("met" if ok else "MISSED")


def per_triple_growth(results: dict[str, Any], seconds_of: Any) -> float | None:
    """Return per-triple time at 1M over per-triple time at 100k for one step."""
    sizes = results.get("datasets", {})
    if "1M" not in sizes or "100k" not in sizes:
        return None
    big, small = seconds_of("1M"), seconds_of("100k")
    if big is None or small is None or small <= 0:
        return None
    return (big / sizes["1M"]["quads"]) / (small / sizes["100k"]["quads"])


def _endpoint(results: dict[str, Any], size: str) -> dict[str, Any] | None:
    return results.get("endpoint", {}).get(size)


def targets(results: dict[str, Any]) -> list[dict[str, str]]:
    """Return every target of the issue with what was measured and whether it is met."""
    rows: list[dict[str, str]] = []

    def add(name: str, goal: str, measured: str, ok: bool | None) -> None:
        rows.append({"target": name, "goal": goal, "measured": measured, "status": status(ok)})

    start = results["startup"]
    add(
        "CLI start-up (--help)",
        "< 0.15 s",
        f"{start['help_s']:.3f} s (python -c pass {start['python_pass_s']:.3f} s)",
        start["help_s"] < 0.15,
    )
    build = results["build"]
    add(
        "full build of the real document (build --check)",
        "< 2 s",
        f"{build['check_s']:.2f} s with the validation cache, {build['peak_mib']:.0f} MiB",
        build["check_s"] < 2,
    )
    add(
        "full build, validating again (build --check --no-cache)",
        "< 1 s",
        f"{build['no_cache_s']:.2f} s, {build['no_cache_peak_mib']:.0f} MiB",
        build["no_cache_s"] < 1,
    )

    ours_real = cq_times(_lines(results, "cq", "real", "ours"))
    if ours_real:
        slowest = max(ours_real, key=ours_real.__getitem__)
        add(
            "every CQ at our size",
            "< 2 ms median each",
            f"slowest {ours_real[slowest]:.2f} ms ({slowest}), {len(ours_real)} questions",
            ours_real[slowest] < 2,
        )
    for size in ("100k", "1M"):
        ratio, both, total = cq_ratio(results, size)
        record = _lines(results, "cq", size, "rdflib")
        if record is None:
            continue
        if ratio is None:
            measured = f"rdflib answered none within {record['budget_s']:.0f} s (stopped)"
            add(f"CQs vs rdflib at {size}", ">= 10x", measured, None)
        else:
            note = "" if both == total else f" (rdflib stopped after {both}/{total})"
            add(
                f"CQs vs rdflib at {size}",
                ">= 10x",
                f"{ratio:.0f}x on {both} questions{note}",
                ratio >= 10,
            )

    for size, goal_s, goal_gib in (("real", 0.3, None), ("100k", 2.0, None), ("1M", 15.0, 2.0)):
        record = _lines(results, "validate", size, "ours")
        if not record:
            continue
        seconds = first(record, "validate_s")
        memory = record["peak_mib"] / MIB_PER_GIB
        goal = f"< {goal_s} s" + (f", < {goal_gib:.0f} GiB" if goal_gib else "")
        if seconds is None:
            measured = f"> {record['budget_s']:.0f} s (stopped), {memory:.1f} GiB so far"
            add(f"validation of {size} (parsing included)", goal, measured, False)
            continue
        add(
            f"validation of {size} (parsing included)",
            goal,
            f"{seconds:.2f} s, {memory:.2f} GiB",
            seconds < goal_s and (goal_gib is None or memory < goal_gib),
        )
    for size, record in results.get("validate_cli", {}).items():
        memory = record["peak_mib"] / MIB_PER_GIB
        note = "stopped" if record["stopped"] else (record["failed"] or "exit 0")
        add(
            f"nato-iraq-kg validate of {size} (cold CLI)",
            "< 15 s, < 2 GiB" if size == "1M" else "< 2 s",
            f"{record['seconds']:.1f} s, {memory:.2f} GiB ({note[:60]})",
            not record["stopped"]
            and record["seconds"] < (15 if size == "1M" else 2)
            and memory < 2,
        )
    same = []
    for size in ("real", "10k", "100k", "1M"):
        a = first(_lines(results, "validate", size, "ours"), "digest")
        for side in ("reference", "pyshacl"):
            b = first(_lines(results, "validate", size, side), "digest")
            if a and b:
                same.append((f"{size} vs {side}", a == b))
    if same:
        add(
            "validation results = pySHACL's",
            "identical",
            ", ".join(f"{s}: {'same' if ok else 'DIFFERENT'}" for s, ok in same),
            all(ok for _, ok in same),
        )
    else:
        add("validation results = pySHACL's", "identical", "pySHACL finished on no size", None)

    exported = _lines(results, "export", "1M", "ours")
    if exported is not None:
        lines = [export_seconds(exported, fmt) for fmt in ("nt", "nq")]
        stable = first(exported, "same_bytes_twice")
        add(
            "export of 1M to N-Triples / N-Quads, from the file",
            "< 3 s each, same bytes twice",
            f"nt {_export_figure(exported, 'nt')}, nq {_export_figure(exported, 'nq')}; "
            f"same bytes twice: {'yes' if stable else 'NO' if stable is not None else '-'}",
            None if None in lines else all(t < 3 for t in lines) and bool(stable),  # type: ignore[operator]
        )
        rich = [export_seconds(exported, fmt) for fmt in ("ttl", "trig", "jsonld")]
        add(
            "export of 1M to Turtle / TriG / JSON-LD, from the file",
            "< 15 s each",
            ", ".join(
                f"{fmt} {_export_figure(exported, fmt)}" for fmt in ("ttl", "trig", "jsonld")
            ),
            None if None in rich else all(t < 15 for t in rich),  # type: ignore[operator]
        )

    for size in ("real", "100k"):
        served = _endpoint(results, size)
        if not served:
            continue
        ours, theirs = served["results"]["ours"], served["results"]["oxigraph"]
        lookup, baseline = ours["lookup"], theirs["lookup"]
        ratio = lookup["req_per_s"] / baseline["req_per_s"] if baseline["req_per_s"] else 0
        add(
            f"endpoint lookups at {size}",
            ">= 1.0x Oxigraph server, p99 < 25 ms, no errors",
            f"{lookup['req_per_s']:.0f}/s vs {baseline['req_per_s']:.0f}/s ({ratio:.2f}x), "
            f"p99 {lookup['p99_ms'] or 0:.1f} ms, {lookup['errors']} errors",
            ratio >= 1.0 and (lookup["p99_ms"] or 1e9) < 25 and not lookup["errors"],
        )
        for query in ("timeline", "aggregate"):
            mine, other = ours[query]["req_per_s"], theirs[query]["req_per_s"]
            add(
                f"endpoint {query} at {size}",
                "within 2x of Oxigraph server",
                f"{mine:.0f}/s vs {other:.0f}/s ({ours[query]['errors']} errors)",
                mine * 2 >= other and not ours[query]["errors"],
            )

    answered = [set(cq_times(_lines(results, "cq", s, "ours"))) for s in ("100k", "1M")]
    common = set.intersection(*answered)
    steps = {
        "CQs on Oxigraph (sum of medians)": lambda s: (
            sum(ms for q, ms in cq_times(_lines(results, "cq", s, "ours")).items() if q in common)
            or None
        ),
        "validation": lambda s: first(_lines(results, "validate", s, "ours"), "validate_s"),
        "export to N-Triples": lambda s: export_seconds(_lines(results, "export", s, "ours"), "nt"),
        "load into Oxigraph": lambda s: first(_lines(results, "cq", s, "ours"), "load_s"),
    }
    for name, seconds_of in steps.items():
        growth = per_triple_growth(results, seconds_of)
        limit = 1.3 if name.startswith("export") else 1.5
        if "1M" in results.get("datasets", {}):
            add(
                f"linear cost: {name}",
                f"per triple at 1M <= {limit}x 100k",
                "not measured" if growth is None else f"{growth:.2f}x",
                None if growth is None else growth <= limit,
            )
    return rows


def table(header: list[str], rows: list[list[str]]) -> str:
    """Return a Markdown table (readable as plain text too)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return "\n".join(lines)


def _seconds(record: dict[str, Any] | None, key: str) -> str:
    if record is None:
        return "-"
    value = first(record, key)
    if value is None:
        return f"> {record['budget_s']:.0f} s (stopped)" if record["stopped"] else "failed"
    return f"{value:.2f} s"


def main() -> None:
    """Print the report of a results file again: ``python bench/report.py bench/results.json``."""
    import json
    import sys
    from pathlib import Path

    results = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    results["targets"] = targets(results)
    print(render_report(results))


def render_report(results: dict[str, Any]) -> str:
    """Return the targets table and the detail tables as Markdown."""
    parts = ["## Targets", ""]
    parts.append(
        table(
            ["target", "goal", "measured", "status"],
            [[r["target"], r["goal"], r["measured"], r["status"]] for r in results["targets"]],
        )
    )
    sizes = list(results.get("datasets", {}))
    quads = {s: results["datasets"][s]["quads"] for s in sizes}

    rows = []
    for size in sizes:
        ours, theirs = _lines(results, "cq", size, "ours"), _lines(results, "cq", size, "rdflib")
        mine, other = cq_times(ours), cq_times(theirs)
        ratio, _, total = cq_ratio(results, size)
        rows.append(
            [
                f"{size} ({quads[size]:,})",
                _seconds(ours, "load_s"),
                _seconds(theirs, "load_s"),
                f"{sum(mine.values()):.1f}" if mine else "-",
                f"{sum(other.values()):.1f} ({len(other)}/{total})" if other else "-",
                f"{ratio:.0f}x" if ratio else "-",
                f"{max(mine.values()):.2f}" if mine else "-",
            ]
        )
    asked = max((cq_ratio(results, size)[2] for size in sizes), default=0)
    parts += ["", f"## Competency questions ({asked}): Oxigraph (ours) vs rdflib Dataset", ""]
    parts.append(
        table(
            [
                "data (quads)",
                "load ours",
                "load rdflib",
                "sum of medians ours (ms)",
                "rdflib (ms, answered)",
                "ratio",
                "slowest ours (ms)",
            ],
            rows,
        )
    )

    rows = []
    for size in results.get("validate", {}):
        ours = _lines(results, "validate", size, "ours")
        reference = _lines(results, "validate", size, "reference")
        theirs = _lines(results, "validate", size, "pyshacl")
        rows.append(
            [
                size,
                _seconds(ours, "validate_s"),
                _seconds(ours, "validate_cpu_s"),
                _seconds(reference, "validate_s"),
                _seconds(theirs, "validate_s"),
                str(first(ours, "results")),
                str(first(reference, "results")),
                f"{ours['peak_mib']:.0f}" if ours else "-",
            ]
        )
    parts += ["", "## SHACL validation (seconds; ours includes parsing, the others do not)", ""]
    header = ["data", "ours", "ours CPU", "reference", "pySHACL defaults", "results ours"]
    header.append("results ref.")
    parts.append(table([*header, "peak MiB ours"], rows))

    rows = []
    for size in sizes:
        ours, theirs = (
            _lines(results, "export", size, "ours"),
            _lines(results, "export", size, "rdflib"),
        )
        load = first(theirs, "load_s")
        for fmt in ("nt", "nq", "ttl", "trig", "xml", "jsonld"):
            rows.append(
                [
                    size,
                    fmt,
                    _export_figure(ours, fmt),
                    _export_figure(theirs, fmt),
                    "-" if load is None else f"{load:.1f} s",
                ]
            )
    parts += [
        "",
        "## Export (ours: from the file, parsing included; rdflib: from its memory, load apart)",
        "",
    ]
    header = ["data", "format", "ours (byte-stable)", "rdflib serialise", "rdflib load"]
    parts.append(table(header, rows))

    rows = []
    for size, served in results.get("endpoint", {}).items():
        for server, queries in served["results"].items():
            for query, r in queries.items():
                rows.append(
                    [
                        size,
                        server,
                        query,
                        f"{r['req_per_s']:.0f}",
                        f"{r['p50_ms'] or 0:.1f}",
                        f"{r['p99_ms'] or 0:.1f}",
                        "-" if r.get("cpu_us_per_req") is None else f"{r['cpu_us_per_req']:.0f}",
                        str(r["errors"]),
                    ]
                )
    if rows:
        parts += ["", "## Endpoint under load (8 clients on 127.0.0.1)", ""]
        header = ["data", "server", "query", "req/s", "p50 ms", "p99 ms", "server CPU us/req"]
        parts.append(table([*header, "errors"], rows))

    if "1M" in sizes:
        rows = []
        for kind in ("cq", "validate", "export"):
            for side, record in results[kind].get("1M", {}).items():
                state = "stopped at budget" if record["stopped"] else "finished"
                rows.append([f"{kind}-{side}", f"{record['peak_mib']:.0f}", state])
        parts += ["", "## Peak memory at 1M (each step in its own process)", ""]
        parts.append(table(["step", "peak MiB", ""], rows))
    return "\n".join(parts)


if __name__ == "__main__":
    main()
