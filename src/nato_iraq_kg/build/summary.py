"""A short, human summary of a build: what went in, what came out, whether it is valid."""

from __future__ import annotations

from .class_counts import SUMMARY_CLASSES
from .pipeline import BuildResult, assertion_counts
from .tiers import tier_counts


def summary_lines(result: BuildResult) -> list[str]:
    """Return the summary as lines: counts per class, assertions by method and tier, graph sizes.

    The tiers are counted so that a reader sees at once how much of the graph the page itself
    says, and how much rules and curators add.
    """
    facts = result.facts_view()
    counts = result.class_counts(SUMMARY_CLASSES)
    lines = [
        f"Sources: {len(result.revisions)} revision(s): "
        + ", ".join(f"{r.title} ({r.last_updated_text})" for r in result.revisions),
        "Instances per class (subclasses included):",
    ]
    width = max(len(str(c).split("#")[-1]) for c in counts)
    lines += [f"  {str(c).split('#')[-1].ljust(width)}  {n:>4}" for c, n in counts.items()]
    methods = assertion_counts(result)
    lines.append(
        f"Evidence: {len(result.assertions)} quotes checked at their offsets ("
        + ", ".join(f"{m} {n}" for m, n in sorted(methods.items()))
        + ")"
    )
    tiers = tier_counts(result.graphs)
    lines.append(
        "Tiers (distinct triples, graphs): "
        + "; ".join(
            f"{str(tier).split('#')[-1]} {n['triples']} in {n['graphs']}"
            for tier, n in tiers.items()
        )
    )
    quads = sum(len(g) for g in result.graphs.values())
    lines.append(
        f"Graph: {len(facts)} triples of facts; {quads} quads in {len(result.graphs)} graphs"
    )
    return lines
