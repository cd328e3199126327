"""Every RDF syntax we read or write, and every dump the build writes, in one table each.

Names, media types and extensions come from pyoxigraph's ``RdfFormat`` (so they match what the
parser and the serialiser use); this module adds only what Oxigraph does not know: the short name
a user types (``--format nt``), the names other tools use (rdflib's ``"xml"``, ``"json-ld"``), the
extra suffixes we accept (``.owl``), and for the build's dumps, the file name, what it holds and
its writer. Adding a format is one row here and, if needed, one writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError


@dataclass(frozen=True)
class Syntax:
    """One RDF syntax: how users, Oxigraph, rdflib and HTTP name it."""

    key: str
    oxigraph_name: str
    rdflib_name: str
    aliases: tuple[str, ...] = ()
    extra_suffixes: tuple[str, ...] = ()
    extra_media_types: tuple[str, ...] = ()

    @property
    def rdf_format(self) -> Any:
        """The pyoxigraph ``RdfFormat`` of this syntax."""
        import pyoxigraph

        return getattr(pyoxigraph.RdfFormat, self.oxigraph_name)

    @property
    def name(self) -> str:
        """The syntax's name for people: ``Turtle``, ``N-Quads``, ``RDF/XML``."""
        return str(self.rdf_format.name)

    @property
    def media_type(self) -> str:
        """The canonical media type (``text/turtle``)."""
        return str(self.rdf_format.media_type)

    @property
    def suffix(self) -> str:
        """The canonical file suffix, with its dot (``.ttl``)."""
        return f".{self.rdf_format.file_extension}"

    @property
    def suffixes(self) -> tuple[str, ...]:
        """Every suffix read as this syntax."""
        return (self.suffix, *self.extra_suffixes)

    @property
    def holds_datasets(self) -> bool:
        """True when the syntax can carry named graphs (TriG, N-Quads, JSON-LD)."""
        return bool(self.rdf_format.supports_datasets) and self.key != "jsonld"


#: The syntaxes, in our order of preference (the first is the default of content negotiation).
SYNTAXES: tuple[Syntax, ...] = (
    Syntax(
        "ttl", "TURTLE", "turtle", aliases=("turtle",), extra_media_types=("application/x-turtle",)
    ),
    Syntax(
        "nt",
        "N_TRIPLES",
        "nt",
        aliases=("ntriples", "n-triples"),
        extra_media_types=("text/plain",),
    ),
    Syntax(
        "xml",
        "RDF_XML",
        "xml",
        aliases=("rdf", "rdfxml", "rdf+xml", "rdf/xml"),
        extra_suffixes=(".owl", ".xml"),
    ),
    Syntax("jsonld", "JSON_LD", "json-ld", aliases=("json-ld",)),
    Syntax("trig", "TRIG", "trig"),
    Syntax("nq", "N_QUADS", "nquads", aliases=("nquads", "n-quads")),
)


def syntax(name: str) -> Syntax:
    """Return the syntax a user named (key, alias, or media type), or raise InputError."""
    wanted = name.strip().lower()
    for candidate in SYNTAXES:
        if wanted in (
            candidate.key,
            *candidate.aliases,
            candidate.media_type,
            *candidate.extra_media_types,
        ):
            return candidate
    known = ", ".join(s.key for s in SYNTAXES)
    raise InputError(f"unknown RDF syntax {name!r} (use one of {known})")


def syntax_of_file(path: Path, allowed: Iterable[str] | None = None) -> Syntax:
    """Return the syntax of a file from its suffix, or raise InputError naming the known ones.

    ``allowed`` narrows the choice to some keys (``publish`` reads triples and quads only).
    """
    keys = set(allowed) if allowed is not None else {s.key for s in SYNTAXES}
    candidates = [s for s in SYNTAXES if s.key in keys]
    suffix = path.suffix.lower()
    for candidate in candidates:
        if suffix in candidate.suffixes:
            return candidate
    known = ", ".join(x for s in candidates for x in s.suffixes)
    raise InputError(f"{path}: unknown RDF file type {path.suffix!r} (use {known})")


def syntax_of_media_type(media_type: str) -> Syntax | None:
    """Return the syntax of a media type (parameters ignored), or None."""
    media = media_type.split(";")[0].strip().lower()
    for candidate in SYNTAXES:
        if media in (candidate.media_type, *candidate.extra_media_types):
            return candidate
    return None


def media_types(keys: Iterable[str]) -> dict[str, str]:
    """Return ``key -> canonical media type`` for the given syntax keys, in that order."""
    return {key: syntax(key).media_type for key in keys}


# --- the build's dumps ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dump:
    """One file the build writes to ``data/``: its syntax, what it holds, and its writer."""

    file: str
    syntax_key: str
    holds: str  # "facts" (one graph) or "dataset" (named graphs) or "timeline"
    description: str
    conforms_to: str | None = None

    @property
    def syntax(self) -> Syntax:
        """The dump's RDF syntax."""
        return syntax(self.syntax_key)

    @property
    def media_type(self) -> str:
        """The dump's media type."""
        return self.syntax.media_type


JSON_LD_SPEC = "https://www.w3.org/TR/json-ld11/"

#: Every RDF dump of the build, in the order it writes them; ``void.ttl`` describes them all.
DUMPS: tuple[Dump, ...] = (
    Dump("nato-iraq.ttl", "ttl", "facts", "the facts, Turtle"),
    Dump("nato-iraq.nt", "nt", "facts", "the facts, N-Triples"),
    Dump("nato-iraq.rdf", "xml", "facts", "the facts, RDF/XML"),
    Dump("nato-iraq.trig", "trig", "dataset", "facts and evidence by named graph, TriG"),
    Dump("nato-iraq.nq", "nq", "dataset", "facts and evidence by named graph, N-Quads"),
    Dump(
        "nato-iraq.jsonld",
        "jsonld",
        "facts",
        "the facts, JSON-LD compacted with our context",
        JSON_LD_SPEC,
    ),
    Dump(
        "timeline.jsonld",
        "jsonld",
        "timeline",
        "the timeline of events, framed JSON-LD",
        JSON_LD_SPEC,
    ),
)


def export_dumps() -> dict[str, Dump]:
    """Return the dumps ``export --format KEY`` offers: one per syntax (the facts or dataset)."""
    return {d.syntax_key: d for d in DUMPS if d.holds != "timeline"}


def writers() -> Mapping[str, Callable[[Any], str]]:
    """Return the writer of each dump syntax (imported here, so callers need no other table)."""
    from .jsonld import to_jsonld
    from .lines_and_xml import nquads, ntriples, rdfxml
    from .turtle import trig, turtle

    return {
        "ttl": turtle,
        "nt": ntriples,
        "xml": rdfxml,
        "jsonld": to_jsonld,
        "trig": trig,
        "nq": nquads,
    }


def render_dumps(facts: Any, dataset_graphs: Any) -> dict[str, str]:
    """Return the text of every dump by file name, each written by its syntax's writer."""
    return render_dumps_named(facts, dataset_graphs, [d.file for d in DUMPS])


def render_dumps_named(facts: Any, dataset_graphs: Any, names: Iterable[str]) -> dict[str, str]:
    """Return the text of the dumps named (file names), in the order of :data:`DUMPS`.

    The build writes some dumps in another process (:mod:`nato_iraq_kg.build.forked_render`).
    """
    from .jsonld import timeline_jsonld

    wanted = set(names)
    write = writers()
    files: dict[str, str] = {}
    for dump in DUMPS:
        if dump.file not in wanted:
            continue
        if dump.holds == "timeline":
            files[dump.file] = timeline_jsonld(facts)
        else:
            files[dump.file] = write[dump.syntax_key](
                facts if dump.holds == "facts" else dataset_graphs
            )
    return files
