"""Help for curators: fill in the ``at:`` offsets of quotes that occur once in the text.

Counting characters by hand is error-prone (non-breaking spaces, curly quotes), so a curator writes
the quote and lets this fill in where it starts. The file is edited as text, line by line, so
comments and layout stay as the curator wrote them. Quotes that occur more than once are reported:
their offset must be chosen by a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..source.quotes import occurrences

_QUOTE_LINE = re.compile(r"^(?P<indent>\s*)(?:- )?quote: (?P<value>.+)$")
_AT_LINE = re.compile(r"^\s*at: \d+\s*$")


@dataclass(frozen=True)
class FillReport:
    """What filling offsets did."""

    filled: int
    ambiguous: tuple[str, ...]
    missing: tuple[str, ...]


def fill_offsets(path: Path, text: str) -> FillReport:
    """Insert ``at: N`` after every quote that lacks one and occurs exactly once in ``text``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    output: list[str] = []
    filled = 0
    ambiguous: list[str] = []
    missing: list[str] = []
    for number, line in enumerate(lines):
        output.append(line)
        match = _QUOTE_LINE.match(line.rstrip("\n"))
        if not match:
            continue
        has_offset = number + 1 < len(lines) and _AT_LINE.match(lines[number + 1])
        if has_offset:
            continue
        quote = yaml.safe_load(match.group("value"))
        found = occurrences(text, quote)
        if len(found) == 1:
            indent = match.group("indent") + ("  " if line.lstrip().startswith("- ") else "")
            output.append(f"{indent}at: {found[0]}\n")
            filled += 1
        elif found:
            ambiguous.append(f"line {number + 1}: {quote!r} occurs at {found}")
        else:
            missing.append(f"line {number + 1}: {quote!r} does not occur")
    if filled:
        path.write_text("".join(output), encoding="utf-8")
    return FillReport(filled, tuple(ambiguous), tuple(missing))
