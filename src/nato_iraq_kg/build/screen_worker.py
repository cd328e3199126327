"""The validation's screen on the second core, started before the build so its set-up overlaps.

A build without the validation cache spent about a third of its time validating: importing
rdflib's SPARQL engine and the checks, parsing the shapes and the ontology, then screening the
rendered data in Oxigraph (:mod:`.rendered_validation`). None of that needs the extraction, so a
child process (``os.fork``) does the set-up while the parent extracts and renders, then screens
the rendered text while the parent runs the quality checks.

While it waits, the child screens the files committed in ``data/``: when the build's output is
byte-identical to them (a ``build --check`` of a clean checkout), the answer is ready when the
files arrive. This is not the validation cache: the screen runs in this process, on exactly the
bytes the build made, with the shapes and ontology it read; it only runs before they arrive.

The child answers whether the screen found that no node can fail a shape. That is the whole
validation of data that conforms, and what the build then reports is the same (it conforms, no
result). Any other answer (a node to judge, the screen giving up, an error in the child) makes
the parent validate the way it always did, in its own process, so failing builds get pySHACL's
results and messages, and errors their usual exceptions, exactly as before.

It also runs the quality checks on the committed TriG while it waits (they read nothing else,
:func:`.pipeline.run_quality_checks_on`), and gives their results when the build's TriG is those
bytes; otherwise (or when they raised) it gives none, and the parent runs them itself as before.
That took them off the rendering child's path, which the build waited on.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..guard.fork_safety import fork_is_safe
from .forking import read_answer, write_all

if TYPE_CHECKING:
    from rdflib import Graph

    from ..check.quality import QualityResult

#: The child's one-byte answers.
_CONFORMS, _UNDECIDED = b"y", b"n"


@dataclass(frozen=True)
class ScreenedConformance:
    """The report of data the screen found conforming, as the build reports it: no result.

    It has what ``build`` reads of a :class:`nato_iraq_kg.check.shapes.ValidationReport`, without
    importing that module (and rdflib's SPARQL engine with it) into the parent.
    """

    conforms: bool = True
    results: tuple[Any, ...] = ()
    violations: tuple[Any, ...] = ()
    warnings: tuple[Any, ...] = ()


class ScreenWorker:
    """A forked child that screens the rendered files; see the module's docstring."""

    def __init__(self, pid: int, to_child: int, from_child: int) -> None:
        self._pid = pid
        self._to_child = to_child
        self._from_child = from_child
        self._done = False
        self._sent = False
        self._answer = _UNDECIDED
        self._quality: list[QualityResult] | None = None

    @classmethod
    def start(cls, root: Path | None = None, ontology: Graph | None = None) -> ScreenWorker | None:
        """Fork the child (None where forking is unsafe, see :mod:`..guard.fork_safety`); it
        prepares, then waits. ``ontology``, when given, is the project's, read already: the
        child uses it rather than read it again."""
        if not fork_is_safe():
            return None
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            code = 1
            try:
                os.close(down_write)
                os.close(up_read)
                _child(root, down_read, up_write, ontology)
                code = 0
            finally:
                os._exit(code)
        os.close(down_read)
        os.close(up_write)
        return cls(pid, down_write, up_read)

    def submit(self, files: dict[str, str], root: Path | None = None) -> bool:
        """Send the rendered files; the child screens them while the caller goes on.

        Returns True when the TriG is the committed one, whose quality checks the child ran
        while it waited (:meth:`quality` gives them); False means the caller should run them
        now, beside the child, rather than wait for none.
        """
        from .. import paths
        from ..paths import DATASET_FILE

        needed = {name: files[name] for name in _sent_files() if name in files}
        self._sent = True
        write_all(self._to_child, pickle.dumps(needed, protocol=pickle.HIGHEST_PROTOCOL))
        try:
            committed = (paths.data_dir(root) / DATASET_FILE).read_bytes()
        except OSError:
            return False
        return DATASET_FILE in files and files[DATASET_FILE].encode("utf-8") == committed

    def conforms(self) -> bool:
        """Return True only if the child's screen found that no node can fail a shape."""
        self._finish()
        return self._answer == _CONFORMS

    def quality(self) -> list[QualityResult] | None:
        """Return the quality checks' results on the TriG sent, or None if the child has none
        (another TriG than the committed one, an error, no answer): the caller runs them."""
        self._finish()
        return self._quality

    def cancel(self) -> None:
        """Let the child go without an answer (the cache answered, or the build failed)."""
        self._finish()

    def _finish(self) -> None:
        """Read the child's answer (a byte, then the pickled quality results) and reap it."""
        if self._done:
            return
        self._done = True
        if not self._sent:  # nothing will come: let the child see the end of its input
            self._sent = True
            with contextlib.suppress(OSError):
                os.close(self._to_child)
        answer = read_answer(self._from_child, self._pid)
        if not answer:
            return
        self._answer = answer[:1]
        try:
            quality = pickle.loads(answer[1:]) if len(answer) > 1 else None
        except Exception:  # a broken answer: the caller runs the checks
            quality = None
        self._quality = quality if isinstance(quality, list) else None


def _needed_files() -> tuple[str, ...]:
    """Return the rendered files the screen reads (see :mod:`.rendered_validation`)."""
    from ..paths import VOID_FILE
    from .rendered_validation import dump_file

    return (dump_file("nt", "facts"), dump_file("nq", "dataset"), VOID_FILE)


def _sent_files() -> tuple[str, ...]:
    """Return the rendered files the child is sent: the screen's, and the TriG for the checks."""
    from ..paths import DATASET_FILE

    return (*_needed_files(), DATASET_FILE)


def _committed_quality(folder: Path) -> tuple[str, list[QualityResult]] | None:
    """Return the committed TriG and the quality checks' results on it, or None if either fails.

    The checks read only the TriG, so these are the results for a build whose TriG is this text.
    """
    from ..paths import DATASET_FILE
    from .dataset_checks import run_quality_checks_on

    try:
        text = (folder / DATASET_FILE).read_text(encoding="utf-8")
        return text, run_quality_checks_on({DATASET_FILE: text})
    except Exception:
        return None


def _committed_files(folder: Path) -> dict[str, str] | None:
    """Return the files in ``data/`` that the screen reads, or None if one cannot be read.

    While the parent extracts and renders, the child screens these: a build whose output is
    what is committed (every ``build --check`` of a clean checkout) then has its answer as soon
    as it sends the files. Files that differ by a byte are screened anew.
    """
    try:
        return {name: (folder / name).read_text(encoding="utf-8") for name in _needed_files()}
    except (OSError, UnicodeDecodeError):
        return None


def _child(root: Path | None, down: int, up: int, ontology: Graph | None = None) -> None:
    """Prepare the screen, wait for the files, and answer whether the data conforms (and, for
    the committed TriG, the quality checks' results)."""
    answer = _UNDECIDED
    quality: list[QualityResult] | None = None
    try:
        from .. import paths
        from ..check.shapes import load_ontology_graph, load_shapes
        from ..paths import DATASET_FILE
        from .rendered_validation import screen_conforms

        shapes = load_shapes()
        if ontology is None:
            ontology = load_ontology_graph(paths.ontology_file(root))
        committed = _committed_files(paths.data_dir(root))
        early = screen_conforms(committed, ontology, shapes) if committed is not None else None
        checked = _committed_quality(paths.data_dir(root))
        with os.fdopen(down, "rb") as pipe:
            data = pipe.read()
        if data:
            files = pickle.loads(data)
            if checked is not None and files.get(DATASET_FILE) == checked[0]:
                quality = checked[1]
            screened = {name: files[name] for name in _needed_files()}
            if early is not None and screened == committed:  # the same bytes, screened already
                conforms = early
            else:
                conforms = screen_conforms(screened, ontology, shapes)
            answer = _CONFORMS if conforms else answer
    except BaseException:  # any failure: the parent validates itself
        answer = _UNDECIDED
    finally:
        with os.fdopen(up, "wb") as pipe:
            pipe.write(answer)
            if quality is not None:
                pipe.write(pickle.dumps(quality, protocol=pickle.HIGHEST_PROTOCOL))
