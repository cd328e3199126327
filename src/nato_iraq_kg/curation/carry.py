"""Carry a curated file over to a new revision: new offsets, and a review list for the rest.

The curated file of the old revision is copied line by line (its comments and layout are a
curator's work), with ``source:`` naming the new revision and each quote's ``at:`` moved to where
the quote now stands. A quote that is no longer found as it was (``changed``, ``lost`` or
``ambiguous``) keeps its old offset and gets an entry under ``review:``, which the build refuses
until a person has resolved it: edited the fact's quote and offset (or removed the fact), then
deleted the entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..source.reanchor import Anchoring

_ID_LINE = re.compile(r"^\s*- id: (?P<id>\S+)\s*$")
_AT_LINE = re.compile(r"^(?P<indent>\s*)at: (?P<at>\d+)\s*$")
_SOURCE_LINE = re.compile(r"^source: \S+\s*$")
#: Evidence keys of the entries that carry an ``at:`` in each section of a curated file.
SECTION_KEYS = {"facts": "fact-{}", "concept_lists": "list-{}"}


@dataclass(frozen=True)
class ReviewItem:
    """One quote a person must look at before the new revision can be built."""

    key: str
    anchoring: Anchoring
    note: str = ""

    def as_yaml(self) -> dict[str, object]:
        """Return the entry as written under ``review:``."""
        found = self.anchoring
        entry: dict[str, object] = {
            "id": self.key,
            "status": found.status.value,
            "quote": found.quote.exact,
            "was_at": found.quote.start,
        }
        if found.new is not None:
            entry["now_at"] = found.new[0]
            entry["now_reads"] = found.new_exact
            entry["score"] = round(found.score or 0.0, 3)
        if found.candidates:
            entry["candidates"] = [start for start, _ in found.candidates]
        if self.note:
            entry["note"] = self.note
        return entry


def carry_curation(
    old_path: Path,
    new_path: Path,
    new_slug: str,
    anchorings: Mapping[str, Anchoring],
    extra_review: list[ReviewItem],
) -> list[ReviewItem]:
    """Write ``new_path`` from ``old_path``; return the review items it lists.

    ``anchorings`` maps evidence keys (``fact-lead-partners``, ``list-ntm-i-means``) to what the
    matcher found; ``extra_review`` adds items about rule-made quotes that no rule can re-derive.
    """
    lines = old_path.read_text(encoding="utf-8").splitlines(keepends=True)
    output: list[str] = [
        "# Carried over by 'nato-iraq-kg reanchor --write': offsets moved to the new revision.\n",
        "# Resolve each entry under 'review:' (edit or remove the fact, then it) to build.\n",
    ]
    review: list[ReviewItem] = []
    section: str | None = None
    current: str | None = None
    for line in lines:
        bare = line.rstrip("\n")
        if bare and not bare[0].isspace() and not bare.startswith("#") and bare.endswith(":"):
            section, current = bare[:-1], None
        if _SOURCE_LINE.match(bare):
            output.append(f"source: {new_slug}\n")
            continue
        id_match = _ID_LINE.match(bare)
        if id_match:
            current = id_match.group("id")
        at_match = _AT_LINE.match(bare)
        if at_match and section in SECTION_KEYS and current is not None:
            key = SECTION_KEYS[section].format(current)
            found = anchorings.get(key)
            if found is not None and not found.status.needs_review and found.new is not None:
                output.append(f"{at_match.group('indent')}at: {found.new[0]}\n")
                continue
            if found is not None:
                review.append(ReviewItem(key, found))
        output.append(line)
    review += extra_review
    if review:
        listing = yaml.safe_dump(
            [item.as_yaml() for item in review], allow_unicode=True, sort_keys=False, width=100
        )
        output.append("\n# Quotes not found as they were: resolve each, then delete its entry.\n")
        output.append("review:\n")
        output += [f"  {line}\n" for line in listing.splitlines()]
    new_path.write_text("".join(output), encoding="utf-8")
    return review
