"""OWL 2 DL reasoning: consistency and unsatisfiable classes, checked by HermiT.

:func:`check_ontology` runs the HermiT reasoner (1.3.8, the jar shipped inside the
``owlready2`` package) on the installed Java runtime over an ontology written in Turtle,
optionally merged with data files (Turtle or N-Triples), and returns a
:class:`ReasonerReport`.

How the input reaches HermiT
----------------------------
1. Every file is parsed with rdflib (a syntax error raises :class:`ValueError` naming the
   file) and merged into one graph.
2. **All ``owl:imports`` triples are removed.**  HermiT's OWL API would otherwise try to
   download the imported ontologies over the network; reasoning is done on the given files
   alone.  External terms (schema.org, W3C ORG, PROV-O, OWL-Time, SKOS, ...) therefore only
   carry the axioms written about them in the given files.
3. The graph is written as UTF-8 N-Triples to a private temporary directory, and HermiT is
   run there as a subprocess (``java -Dfile.encoding=UTF-8 ... --classify
   --ignoreUnsupportedDatatypes``), killed if it exceeds ``timeout_s``.  No state is shared
   between calls: each call gets its own JVM and its own files.

Datatypes
---------
HermiT implements exactly the OWL 2 datatype map (:data:`OWL2_DATATYPES`).  Without help
it aborts on any other datatype, e.g. ``xsd:gYear``, ``xsd:gYearMonth``, ``xsd:date``,
``xsd:time`` or ``xsd:duration`` used as the ``rdfs:range`` of a data property, inside a
restriction, or as the datatype of a literal that is the value of a data property.  This
module therefore passes HermiT's own ``--ignoreUnsupportedDatatypes`` switch: such a
datatype becomes an opaque datatype and such a literal an opaque constant identified by its
lexical form.  Everything else is reasoned over as usual, but nothing is checked *about those
values*: a malformed ``"20x4"^^xsd:gYear``, a string value of a property whose range is
``xsd:gYear``, or two different ``xsd:date`` values of a functional property are not
reported.  :attr:`ReasonerReport.unchecked_datatypes` lists the datatype IRIs concerned.

A literal that is malformed for a datatype HermiT does support (``"abc"^^xsd:integer``,
an ``xsd:dateTimeStamp`` without a time zone) makes the graph unsatisfiable under the
RDF/OWL datatype semantics; it is reported as ``consistent=False`` with HermiT's message.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import OWL
from rdflib.util import guess_format

from ..errors import InputError, KGError

__all__ = [
    "OWL2_DATATYPES",
    "ReasonerError",
    "ReasonerReport",
    "ReasonerUnavailable",
    "check_ontology",
]

_OWL_NOTHING = str(OWL.Nothing)
# The OWL API names anonymous (blank-node) classes it cannot interpret with these IRIs.
_OWLAPI_ERROR_PREFIX = "http://org.semanticweb.owlapi/error#"
_HERMIT_MAIN = "org.semanticweb.HermiT.cli.CommandLine"
_PELLET_MAIN = "pellet.Pellet"
_EQUIVALENT_CLASSES = re.compile(r"^EquivalentClasses\(\s*((?:<[^>]*>\s*)+)\)\s*$", re.MULTILINE)
_IRI = re.compile(r"<([^>]*)>")
_EXPLANATION_LINE = re.compile(r"^\s*\d+\)")
_EXPLANATION_BUDGET_S = 60.0

#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus ``rdfs:Literal``.
#: These are exactly the datatypes HermiT interprets.
OWL2_DATATYPES: frozenset[str] = frozenset(
    {
        str(RDFS.Literal),
        str(RDF.PlainLiteral),
        str(RDF.XMLLiteral),
        str(OWL.real),
        str(OWL.rational),
        *(
            str(XSD[name])
            for name in (
                "decimal",
                "integer",
                "nonNegativeInteger",
                "nonPositiveInteger",
                "positiveInteger",
                "negativeInteger",
                "long",
                "int",
                "short",
                "byte",
                "unsignedLong",
                "unsignedInt",
                "unsignedShort",
                "unsignedByte",
                "double",
                "float",
                "string",
                "normalizedString",
                "token",
                "language",
                "Name",
                "NCName",
                "NMTOKEN",
                "boolean",
                "hexBinary",
                "base64Binary",
                "anyURI",
                "dateTime",
                "dateTimeStamp",
            )
        ),
    }
)


@dataclass(frozen=True)
class ReasonerReport:
    """Outcome of one reasoner run."""

    consistent: bool
    #: Full IRIs of the named classes equivalent to owl:Nothing, sorted; owl:Nothing excluded.
    #: Empty when the ontology is inconsistent (every class is then trivially unsatisfiable).
    unsatisfiable_classes: tuple[str, ...]
    #: Which reasoner ran, e.g. ``"HermiT 1.3.8.1099 (owlready2 0.51)"``.
    reasoner: str
    #: The reasoner's explanation when inconsistent, else ``""``.
    message: str
    #: Datatype IRIs found in the input that are outside the OWL 2 datatype map (for example
    #: ``xsd:gYear``); HermiT treated them as opaque, so constraints on their values were not
    #: checked.  Sorted.
    unchecked_datatypes: tuple[str, ...] = ()


class ReasonerUnavailable(InputError):
    """Java or owlready2 (which ships HermiT) is missing; the message says how to install it."""


class ReasonerError(KGError):
    """HermiT ran but failed for a reason other than inconsistency (the message has its output)."""


@dataclass(frozen=True)
class _Runtime:
    java: str
    hermit_classpath: str
    pellet_classpath: str
    java_memory_mb: int
    label: str


def check_ontology(
    ontology: Path, data: Sequence[Path] = (), *, timeout_s: float = 120
) -> ReasonerReport:
    """Check ``ontology`` (Turtle) plus optional ``data`` files with the HermiT OWL 2 DL reasoner.

    ``data`` files may be Turtle or N-Triples (chosen by file extension; Turtle by default).
    ``owl:imports`` triples are stripped before reasoning, so nothing is ever fetched from
    the network and only the given files are reasoned over.  Datatypes outside the OWL 2
    datatype map (``xsd:gYear``, ``xsd:date``, ...) are treated as opaque; see the module
    docstring and :attr:`ReasonerReport.unchecked_datatypes`.

    When HermiT finds the ontology inconsistent, the message carries HermiT's verdict and,
    when one can be found within the remaining time, a justification (the set of axioms
    that clash) computed by the Pellet reasoner that also ships with owlready2.

    Raises:
        FileNotFoundError: an input file does not exist.
        ValueError: an input file is not valid Turtle / N-Triples (the message names it),
            or ``timeout_s`` is not positive.
        ReasonerUnavailable: Java or owlready2 is not installed.
        TimeoutError: HermiT did not finish within ``timeout_s`` seconds (it is killed).
        ReasonerError: HermiT failed for another reason.
    """
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive, got {timeout_s!r}")
    deadline = time.monotonic() + timeout_s
    graph = Graph()
    for path in (Path(ontology), *(Path(p) for p in data)):
        _parse_into(graph, path)
    unchecked = _prepare(graph)
    runtime = _locate_runtime()

    with tempfile.TemporaryDirectory(prefix="nato-iraq-kg-hermit-") as tmp:
        tmpdir = Path(tmp)
        source = tmpdir / "input.nt"
        result_file = tmpdir / "hierarchy.owl"
        graph.serialize(destination=source, format="nt", encoding="utf-8")
        command = [
            *_java_prefix(runtime, runtime.hermit_classpath),
            _HERMIT_MAIN,
            "--classify",
            "--ignoreUnsupportedDatatypes",
            f"--output={result_file}",
            source.as_uri(),
        ]
        completed = _run(command, deadline, timeout_s, what=f"HermiT on {ontology}")
        output = _decode(completed.stdout) + _decode(completed.stderr)

        if "InconsistentOntologyException" in output or "MalformedLiteralException" in output:
            message = _hermit_verdict(output)
            if "InconsistentOntologyException" in output:
                explanation = _explain_inconsistency(runtime, source, deadline)
                if explanation:
                    message += (
                        "\nJustification (Pellet 'explain'; one minimal set of clashing"
                        " axioms):\n" + explanation
                    )
            return ReasonerReport(
                consistent=False,
                unsatisfiable_classes=(),
                reasoner=runtime.label,
                message=message,
                unchecked_datatypes=unchecked,
            )

        if completed.returncode != 0 or "pear-shaped" in output or not result_file.exists():
            raise ReasonerError(
                f"HermiT failed on {ontology} (exit status {completed.returncode}):\n"
                + _tail(output)
            )
        hierarchy = result_file.read_text(encoding="utf-8")

    return ReasonerReport(
        consistent=True,
        unsatisfiable_classes=_unsatisfiable(hierarchy),
        reasoner=runtime.label,
        message="",
        unchecked_datatypes=unchecked,
    )


def _locate_runtime() -> _Runtime:
    try:
        import owlready2
        import owlready2.reasoning as owlready_reasoning
    except ImportError as exc:
        from ..paths import install_command

        raise ReasonerUnavailable(
            "the reasoner needs owlready2 (it ships HermiT), which is not installed: "
            f"{install_command('reason')}"
        ) from exc

    package_dir = Path(owlready2.__file__).parent
    hermit_jar = package_dir / "hermit" / "HermiT.jar"
    if not hermit_jar.is_file():
        raise ReasonerUnavailable(
            f"owlready2 {owlready2.VERSION} has no HermiT jar at {hermit_jar}; "
            "reinstall it with `pip install --force-reinstall owlready2`."
        )
    java_setting = getattr(owlready2, "JAVA_EXE", "java") or "java"
    java = shutil.which(java_setting)
    if java is None:
        raise ReasonerUnavailable(
            f"no Java runtime found (owlready2.JAVA_EXE = {java_setting!r} is not an "
            "executable on PATH); HermiT needs Java 8 or newer. Install one, e.g. "
            "`apt-get install default-jre-headless`, or point owlready2.JAVA_EXE at it."
        )
    pellet_dir = package_dir / "pellet"
    pellet_jars = sorted(pellet_dir.glob("*.jar")) if pellet_dir.is_dir() else []
    return _Runtime(
        java=java,
        hermit_classpath=os.pathsep.join((str(hermit_jar.parent), str(hermit_jar))),
        pellet_classpath=os.pathsep.join(str(jar) for jar in pellet_jars),
        java_memory_mb=int(getattr(owlready_reasoning, "JAVA_MEMORY", 2000)),
        label=f"HermiT{_hermit_version(hermit_jar)} (owlready2 {owlready2.VERSION})",
    )


def _hermit_version(jar: Path) -> str:
    try:
        with zipfile.ZipFile(jar) as archive:
            manifest = archive.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return ""
    match = re.search(r"^Implementation-Version:\s*(\S+)", manifest, re.MULTILINE)
    return f" {match.group(1)}" if match else ""


def _java_prefix(runtime: _Runtime, classpath: str) -> list[str]:
    # -Dfile.encoding: Java 17 reads and writes files in the locale's charset, which under a
    # POSIX/C locale turns every non-ASCII IRI character into '?'.
    return [
        runtime.java,
        f"-Xmx{runtime.java_memory_mb}M",
        "-Dfile.encoding=UTF-8",
        "-Djava.awt.headless=true",
        "-cp",
        classpath,
    ]


def _parse_into(graph: Graph, path: Path) -> None:
    if not path.is_file():
        raise FileNotFoundError(f"RDF file not found: {path}")
    suffix = path.suffix.lower()
    rdf_format = {".ttl": "turtle", ".nt": "nt"}.get(suffix) or guess_format(str(path)) or "turtle"
    try:
        graph.parse(source=str(path), format=rdf_format)
    except Exception as exc:
        raise ValueError(f"{path}: not valid {rdf_format}: {exc}") from exc


def _prepare(graph: Graph) -> tuple[str, ...]:
    """Make ``graph`` safe to hand to HermiT; return the datatypes it cannot check.

    * ``owl:imports`` triples are removed (no network access, no imported axioms).
    * ``P rdfs:range rdf:langString`` becomes ``P rdfs:range rdf:PlainLiteral``.  The OWL API
      inside HermiT predates RDF 1.1: it does not know ``rdf:langString``, reads such a
      range as an unknown *class* and silently turns ``P`` into an object property as well
      (which makes the constraint vacuous and crashes Pellet's explanation).
      ``rdf:PlainLiteral`` is the OWL 2 datatype of strings with or without a language
      tag, a superset of ``rdf:langString``, so the rewrite only weakens the axiom: a
      value that is not a string at all is still caught, an untagged string is not.
    """
    graph.remove((None, OWL.imports, None))
    found: set[str] = set()
    for prop in set(graph.subjects(RDFS.range, RDF.langString)):
        graph.remove((prop, RDFS.range, RDF.langString))
        graph.add((prop, RDFS.range, RDF.PlainLiteral))
        found.add(str(RDF.langString))
    return tuple(sorted(found | _unsupported_datatypes(graph)))


def _unsupported_datatypes(graph: Graph) -> set[str]:
    """Datatype IRIs in ``graph`` outside the OWL 2 datatype map.

    Counts the datatypes of typed literals and every XML Schema IRI used as an object
    (ranges, restrictions, unions), so a datatype seen only in annotation values is listed
    too.  Language-tagged literals are ``rdf:PlainLiteral`` values for HermiT.
    """
    found: set[str] = set()
    xsd = str(XSD)
    for obj in graph.objects():
        if isinstance(obj, Literal):
            if obj.datatype is not None:
                found.add(str(obj.datatype))
        elif isinstance(obj, URIRef) and str(obj).startswith(xsd):
            found.add(str(obj))
    return found - OWL2_DATATYPES


def _run(
    command: list[str], deadline: float, timeout_s: float, *, what: str
) -> subprocess.CompletedProcess[bytes]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError(f"{what}: time budget of {timeout_s:g} s used up before starting")
    try:
        return subprocess.run(command, capture_output=True, timeout=remaining, check=False)
    except subprocess.TimeoutExpired as exc:
        raise TimeoutError(f"{what} did not finish within {timeout_s:g} s") from exc
    except OSError as exc:
        raise ReasonerUnavailable(f"cannot start Java ({command[0]}): {exc}") from exc


def _decode(raw: bytes | None) -> str:
    return (raw or b"").decode("utf-8", "replace").replace("\r", "")


def _tail(text: str, limit: int = 4000) -> str:
    text = text.strip()
    return text if len(text) <= limit else "...\n" + text[-limit:]


def _hermit_verdict(output: str) -> str:
    """HermiT's one-line reason, e.g. ``"HermiT: Inconsistent ontology"``."""
    for line in output.splitlines():
        if "Exception" in line and ":" in line:
            reason = line.split("Exception:", 1)[-1].strip()
            return f"HermiT: {reason}"
    return "HermiT: " + _tail(output, 500)


def _explain_inconsistency(runtime: _Runtime, source: Path, deadline: float) -> str:
    """Best effort: Pellet's justification of the inconsistency, or ``""``."""
    if not runtime.pellet_classpath:
        return ""
    remaining = min(deadline - time.monotonic(), _EXPLANATION_BUDGET_S)
    if remaining <= 1:
        return ""
    command = [
        *_java_prefix(runtime, runtime.pellet_classpath),
        _PELLET_MAIN,
        "explain",
        "--ignore-imports",
        str(source),
    ]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=remaining, check=False)
    except (subprocess.TimeoutExpired, OSError):
        return ""
    text = _decode(completed.stdout)
    if completed.returncode != 0 or not any(_EXPLANATION_LINE.match(x) for x in text.splitlines()):
        return ""
    return _tail(text.split("Explanation(s):", 1)[-1].strip("\n"), 4000)


def _unsatisfiable(hierarchy: str) -> tuple[str, ...]:
    found: set[str] = set()
    for match in _EQUIVALENT_CLASSES.finditer(hierarchy):
        iris = _IRI.findall(match.group(1))
        if _OWL_NOTHING in iris:
            found.update(iris)
    return tuple(sorted(_named(found)))


def _named(iris: Iterable[str]) -> Iterable[str]:
    return (i for i in iris if i != _OWL_NOTHING and not i.startswith(_OWLAPI_ERROR_PREFIX))
