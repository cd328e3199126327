"""``reanchor``: find every quote of the current revision in another text, and carry facts over.

The quotes are those of every assertion the build makes from the current revision (curated facts,
concept lists, entity names, abbreviations, milestone dates), each named by its evidence IRI. The
other text is a file, or a registered revision (by slug or text file); only a registered one can
receive a curated file (``--write``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..curation.carry import ReviewItem, carry_curation
from ..curation.model import load_curation
from ..errors import InputError
from ..extract.assertion import Assertion
from ..source.document import segment
from ..source.reanchor import Anchoring, Quote, Status, counts, reanchor
from ..source.register import latest, read_revision_text
from ..source.revision import SourceRevision, load_revisions
from .pipeline import revision_assertions

#: Rule-made quotes that a rule re-derives from the new text by itself, given the same words.
RULE_METHODS = ("entity-name", "abbreviation", "concept-list")


@dataclass(frozen=True)
class ReanchorReport:
    """The quotes of one revision found (or not) in another text."""

    source: SourceRevision
    target: str
    assertions: tuple[Assertion, ...]
    anchorings: tuple[Anchoring, ...]
    written: Path | None = None
    review: tuple[ReviewItem, ...] = ()

    @property
    def needing_review(self) -> list[Anchoring]:
        """The anchorings a person must look at (``changed``, ``lost``, ``ambiguous``)."""
        return [a for a in self.anchorings if a.status.needs_review]


def _target(new: str, revisions: list[SourceRevision]) -> tuple[str, str, SourceRevision | None]:
    """Resolve NEW to (its id for the report, its text, its registered revision if any)."""
    for revision in revisions:
        if new == revision.slug or new == str(revision.iri):
            return str(revision.iri), revision.text, revision
    path = Path(new)
    if not path.is_file():
        raise InputError(f"{new}: neither a file nor a registered revision")
    for revision in revisions:
        if revision.text_path.resolve() == path.resolve():
            return str(revision.iri), revision.text, revision
    return str(path), read_revision_text(path), None


def _current(revisions: list[SourceRevision], target: SourceRevision | None) -> SourceRevision:
    """Return the latest revision, other than the target, that has its curated file."""
    curated = [r for r in revisions if r is not target and r.curation_path.is_file()]
    curated = curated or [r for r in revisions if r.curation_path.is_file()]
    if not curated:
        raise InputError("no curated revision to carry facts from")
    return latest(curated)


def _rule_review(assertion: Assertion, found: Anchoring, new_text: str) -> ReviewItem | None:
    """Return a review item for a rule-made quote only when its rule cannot re-derive it."""
    if assertion.method == "milestone-date":
        return ReviewItem(assertion.key, found, "update the milestone's date under 'milestones:'")
    if assertion.method in RULE_METHODS and found.quote.exact not in new_text:
        note = "these words no longer occur: edit or remove the entity, alias or list item"
        return ReviewItem(assertion.key, found, note)
    return None


def reanchor_revision(new: str, *, write: bool = False, root: Path | None = None) -> ReanchorReport:
    """Find the current revision's quotes in NEW; with ``write``, write NEW's curated file."""
    revisions = load_revisions(paths.source_dir(root))
    target_id, new_text, target = _target(new, revisions)
    source = _current(revisions, target)
    curation = load_curation(source.curation_path)
    assertions = tuple(revision_assertions(source, segment(source.text), curation))
    quotes = [Quote(str(a.evidence), a.quote, a.start, a.end) for a in assertions]
    anchorings = tuple(reanchor(source.text, new_text, quotes))
    if not write:
        return ReanchorReport(source, target_id, assertions, anchorings)
    if target is None:
        raise InputError(
            f"{new}: register it first ('nato-iraq-kg source add {new} --modified ...')"
        )
    if target.curation_path.exists():
        raise InputError(f"{target.curation_path}: already exists; not overwritten")
    by_key = {a.key: found for a, found in zip(assertions, anchorings, strict=True)}
    extra = []
    for assertion, found in zip(assertions, anchorings, strict=True):
        if found.status.needs_review and not assertion.key.startswith(("fact-", "list-")):
            item = _rule_review(assertion, found, new_text)
            if item is not None:
                extra.append(item)
    review = carry_curation(source.curation_path, target.curation_path, target.slug, by_key, extra)
    return ReanchorReport(
        source, target_id, assertions, anchorings, target.curation_path, tuple(review)
    )


def render_json(report: ReanchorReport) -> str:
    """Return the report in the JSON shape the README documents."""
    document = {
        "from": str(report.source.iri),
        "to": report.target,
        "quotes": [found.as_json() for found in report.anchorings],
    }
    quotes = ",\n  ".join(json.dumps(q, ensure_ascii=False) for q in document.pop("quotes"))
    head = json.dumps(document, ensure_ascii=False)[:-1]
    return f'{head}, "quotes": [\n  {quotes}\n]}}'


def render_text(report: ReanchorReport) -> str:
    """Return a summary line and one line per quote that did not stay where it was."""
    tally = counts(report.anchorings)
    lines = [
        f"Reanchored {len(report.anchorings)} quotes of {report.source.slug} in {report.target}: "
        + ", ".join(f"{n} {status}" for status, n in tally.items())
    ]
    for found in report.anchorings:
        if found.status is Status.KEPT:
            continue
        name = found.quote.id.rsplit("/", 1)[-1]
        old = f"{found.quote.start}-{found.quote.end}"
        if found.status is Status.MOVED and found.new:
            detail = f"{old} -> {found.new[0]}-{found.new[1]}"
        elif found.status is Status.CHANGED and found.new:
            detail = (
                f"{old} -> {found.new[0]}-{found.new[1]} (score {found.score:.2f}): "
                f"{found.quote.exact!r} now reads {found.new_exact!r}"
            )
        elif found.status is Status.AMBIGUOUS:
            places = ", ".join(str(start) for start, _ in found.candidates)
            detail = f"{old}: {found.quote.exact!r} could be at {places}"
        else:
            detail = f"{old}: {found.quote.exact!r} is gone"
        lines.append(f"{found.status.value:<9} {name}  {detail}")
    if report.written is not None:
        lines.append(f"Wrote {report.written} ({len(report.review)} quote(s) under review)")
    return "\n".join(lines)
