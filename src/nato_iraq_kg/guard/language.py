"""Language tags: checked before anything is written, so a bad tag never reaches a file."""

from __future__ import annotations

from ..errors import CheckFailure


def check_language(tag: str) -> str:
    """Return ``tag`` if it is a well-formed BCP 47 language tag, else raise CheckFailure.

    rdflib accepts tags such as ``A`` that the Turtle grammar allows but BCP 47 does not, and
    strict readers (ours included) then refuse the whole file: exporters call this first, so a
    bad tag stops the export before anything is written.
    """
    import pyoxigraph

    try:
        pyoxigraph.Literal("", language=tag)
    except ValueError:
        raise CheckFailure(f"language tag {tag!r} is not valid BCP 47; not written") from None
    return tag
