"""The build's own shortcuts to validation: the shared facts union, validation from the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from nato_iraq_kg.build import pipeline
from nato_iraq_kg.build.rendered_validation import evidence_lines, validate_rendered
from nato_iraq_kg.check.shapes import validate_graph
from nato_iraq_kg.formats.lines_and_xml import ntriples
from nato_iraq_kg.namespaces import EVIDENCE_GRAPH

EX = "https://w3id.org/nato-iraq-kg/id/"
SCHEMA_VALUE = URIRef("https://schema.org/value")
ROOT = Path(__file__).resolve().parents[1]
#: A TriG graph with an entity no quote supports (a quality check finds it).
STRAY_ENTITY = (
    f"<{EX}graph/stray> {{ <{EX}actor/stray> a "
    "<https://w3id.org/nato-iraq-kg/ontology#Actor> . }\n"
)


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the build fork its helpers even if the test process runs other threads (servers of
    other tests): these tests are about what the children do, not about when to fork."""
    from nato_iraq_kg.build import forked_render, screen_worker

    monkeypatch.setattr(forked_render, "fork_is_safe", lambda: True)
    monkeypatch.setattr(screen_worker, "fork_is_safe", lambda: True)


@pytest.fixture(scope="module")
def fresh():
    """A build of its own (these tests change its graphs), with its rendered files."""
    result = pipeline.assemble()
    return result, pipeline.render(result)


def test_evidence_lines_are_the_evidence_graph_as_n_triples(fresh) -> None:
    """Cutting the evidence graph out of the N-Quads dump gives its N-Triples, line for line."""
    result, files = fresh
    text = evidence_lines(files["nato-iraq.nq"])
    assert text == ntriples(result.graphs[EVIDENCE_GRAPH])
    assert text.count("\n") > 1000


def _old_way(result, files):
    return validate_graph(pipeline._validated_graph(result, files), ontology=result.ontology)


def test_validation_from_the_text_gives_the_rdflib_graphs_results(fresh) -> None:
    """Conforming data: the same (empty) results either way; then a broken value and a missing
    quote text, whose results (through pySHACL) must be the same, result for result."""
    result, files = fresh
    ours = validate_rendered(
        files, result.ontology, lambda: pipeline._validated_graph(result, files)
    )
    reference = _old_way(result, files)
    assert ours is not None
    assert (ours.conforms, ours.results) == (reference.conforms, reference.results) == (True, ())
    quantity = URIRef(EX + "quantity/ntm-i-officers-trained")
    named = next(n for n, g in result.graphs.items() if (quantity, SCHEMA_VALUE, None) in g)
    broken = Graph()
    broken += result.graphs[named]
    broken.remove((quantity, SCHEMA_VALUE, None))
    broken.add((quantity, SCHEMA_VALUE, Literal("fifteen thousand")))
    saved = result.graphs[named]
    result.graphs[named] = broken
    try:
        files = pipeline.render(result)
        ours = validate_rendered(
            files, result.ontology, lambda: pipeline._validated_graph(result, files)
        )
        reference = _old_way(result, files)
    finally:
        result.graphs[named] = saved
    assert ours is not None
    assert not reference.conforms
    assert (ours.conforms, ours.results) == (reference.conforms, reference.results)
    assert any(r.focus == str(quantity) for r in ours.results)


def test_a_blank_node_in_the_text_is_left_to_the_rdflib_graph(fresh) -> None:
    """The screen names nodes by label, and a blank node's differs between text and rdflib."""
    result, files = fresh
    blank = dict(files)
    blank["void.ttl"] = files["void.ttl"] + "\n_:b <http://example.org/p> 1 .\n"
    assert validate_rendered(blank, result.ontology, lambda: Graph()) is None


def test_the_shared_facts_union_follows_changes_to_the_graphs() -> None:
    """The union is made once, but a graph added, replaced or grown makes it again."""
    a, b = URIRef(EX + "a"), URIRef(EX + "b")
    one = Graph()
    one.add((a, a, a))
    result = pipeline.BuildResult([], {}, [], {a: one}, Graph())
    first = result.facts_view()
    assert set(first) == set(result.facts()) == {(a, a, a)}
    assert result.facts_view() is first
    one.add((b, b, b))
    assert set(result.facts_view()) == {(a, a, a), (b, b, b)}
    other = Graph()
    other.add((a, b, a))
    result.graphs[b] = other
    assert (a, b, a) in result.facts_view()
    result.graphs[b] = Graph()
    assert (a, b, a) not in result.facts_view()
    result.graphs[EVIDENCE_GRAPH] = other
    assert (a, b, a) not in result.facts_view()


@pytest.fixture
def project(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A private copy of the project's inputs and outputs, used as the build's root."""
    import shutil

    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.setenv("NATO_IRAQ_KG_ROOT", str(tmp_path))
    return tmp_path


def _build(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from nato_iraq_kg.cli import cli

    result = CliRunner().invoke(cli, ["build", *args])
    return result.exit_code, result.stdout, result.stderr


def test_no_cache_build_with_the_screen_child_says_what_the_serial_build_says(project) -> None:
    """Conforming data: the child's answer gives the same lines as validating in-process; a
    broken value: the child cannot tell, and the parent gives pySHACL's results, as before."""
    serial = _build("--check")  # a fresh root: the cache is empty, validation runs in-process
    assert serial[0] == 0, serial
    assert _build("--check", "--no-cache") == serial
    curation = project / "data/curation/nato-relations-with-iraq-2017-02-03.yaml"
    text = curation.read_text(encoding="utf-8")
    old = "quantity:ntm-i-officers-trained schema:value 15000 ;"
    assert old in text
    curation.write_text(
        text.replace(old, 'quantity:ntm-i-officers-trained schema:value "fifteen thousand" ;'),
        encoding="utf-8",
    )
    code, stdout, stderr = _build("--check", "--no-cache")
    assert code == 1
    assert "Validation (SHACL): DOES NOT CONFORM" in stdout
    assert "quantity/ntm-i-officers-trained" in stderr
    assert (code, stdout, stderr) == _build("--check")


def test_the_screen_child_answers_no_for_broken_input_and_goes_away_when_cancelled(
    fresh, forking
) -> None:
    """A child that fails (here: files it cannot read) says "validate yourself", never "conforms";
    one cancelled before any file is sent exits; neither is left behind."""
    import os

    from nato_iraq_kg.build.screen_worker import ScreenWorker

    _, files = fresh
    worker = ScreenWorker.start()
    assert worker is not None
    worker.submit(files)
    assert worker.conforms() is True
    broken = dict(files)
    broken["nato-iraq.nt"] = "this is not N-Triples\n"
    worker = ScreenWorker.start()
    worker.submit(broken)
    assert worker.conforms() is False
    worker.cancel()
    worker = ScreenWorker.start()
    worker.cancel()
    with pytest.raises(ChildProcessError):  # reaped: no zombie left (other children may exist)
        os.waitpid(worker._pid, os.WNOHANG)


def test_rendering_on_two_cores_gives_the_same_files_in_the_same_order(fresh, forking) -> None:
    """The child's TriG and N-Quads, the parent's other files and the quality checks: the same
    texts, order and results as rendering and checking in one process."""
    from nato_iraq_kg.build.forked_render import render_and_check

    result, files = fresh
    ours, quality = render_and_check(result)
    assert list(ours) == list(files)
    assert ours == files
    assert quality == pipeline.run_quality_checks_on(files)
    assert len(quality) >= 7


def test_a_writer_error_on_either_core_is_the_one_rendering_in_one_process_raises(
    fresh, forking, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first failing dump, in the order the dumps are written, decides the error."""
    from nato_iraq_kg.build.forked_render import render_and_check
    from nato_iraq_kg.errors import CheckFailure
    from nato_iraq_kg.formats import registry

    result, _ = fresh
    real = registry.writers()

    def failing(*keys: str):
        def fail(key: str):
            def write(_: object) -> str:
                raise CheckFailure(f"cannot write {key}")

            return write

        return {k: fail(k) if k in keys else w for k, w in real.items()}

    for keys, first in ((("trig",), "trig"), (("nq", "jsonld"), "nq"), (("xml", "trig"), "xml")):
        monkeypatch.setattr(registry, "writers", lambda keys=keys: failing(*keys))
        with pytest.raises(CheckFailure, match=f"cannot write {first}$"):
            pipeline.render(result)
        with pytest.raises(CheckFailure, match=f"cannot write {first}$"):
            render_and_check(result)


def test_the_screen_child_reuses_its_early_screen_only_for_the_same_bytes(
    fresh, forking, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child screens data/ while it waits; files that differ from those are screened anew,
    whichever of the two is the broken one."""
    from nato_iraq_kg.build import screen_worker

    _, files = fresh
    good = {name: files[name] for name in screen_worker._needed_files()}
    broken = dict(good)
    broken["nato-iraq.nt"] = good["nato-iraq.nt"].replace(
        '"15000"^^<http://www.w3.org/2001/XMLSchema#integer>', '"fifteen thousand"', 1
    )
    assert broken != good
    for committed, sent, expected in ((broken, good, True), (good, broken, False)):
        monkeypatch.setattr(screen_worker, "_committed_files", lambda _, c=committed: c)
        worker = screen_worker.ScreenWorker.start()
        worker.submit(sent)
        assert worker.conforms() is expected


def test_no_helper_is_forked_while_another_thread_runs(fresh) -> None:
    """A thread holding a lock at the fork would hang the child: with one running, the build
    renders, checks and validates in its own process, with the same files and results."""
    import threading

    from nato_iraq_kg.build.forked_render import render_and_check
    from nato_iraq_kg.build.screen_worker import ScreenWorker

    result, files = fresh
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert ScreenWorker.start() is None
        ours, quality = render_and_check(result)
    finally:
        stop.set()
        other.join()
    assert ours == files
    assert quality is None  # not run aside: the build runs the checks itself, as in one process


def test_a_child_that_hangs_is_killed_and_counts_as_failed() -> None:
    """A forked helper that never answers must not hang the build: it is given up on."""
    import os
    import time

    from nato_iraq_kg.build.forking import read_answer

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    os.close(write_end)
    started = time.monotonic()
    assert read_answer(read_end, pid, patience=0.5) is None
    assert time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_the_screen_child_gives_quality_results_only_for_the_committed_trig(
    project, fresh, forking
) -> None:
    """The child runs the quality checks on the committed TriG while it waits: their results
    come back for a build whose TriG is those bytes, never for another TriG (here the committed
    one holds an entity without evidence, which a check finds)."""
    from nato_iraq_kg.build.screen_worker import ScreenWorker
    from nato_iraq_kg.paths import DATASET_FILE

    _, files = fresh
    expected = pipeline.run_quality_checks_on(files)
    worker = ScreenWorker.start()
    assert worker is not None
    assert worker.submit(files) is True
    assert worker.quality() == expected
    assert worker.conforms() is True
    committed = project / "data" / DATASET_FILE
    stray = STRAY_ENTITY
    committed.write_text(files[DATASET_FILE] + stray, encoding="utf-8")
    assert not all(
        check.passed
        for check in pipeline.run_quality_checks_on(
            {DATASET_FILE: committed.read_text(encoding="utf-8")}
        )
    )
    worker = ScreenWorker.start()
    assert worker.submit(files) is False
    assert worker.quality() is None
    assert worker.conforms() is True


def test_a_no_cache_build_against_another_committed_trig_checks_its_own(project) -> None:
    """The quality checks the build reports are those of the TriG it made, whatever is
    committed: a changed committed TriG makes the build stale, not its checks fail."""
    from nato_iraq_kg.paths import DATASET_FILE

    committed = project / "data" / DATASET_FILE
    stray = STRAY_ENTITY
    committed.write_text(committed.read_text(encoding="utf-8") + stray, encoding="utf-8")
    code, stdout, stderr = _build("--check", "--no-cache")
    assert code == 1
    assert "passed, 0 failed" in stdout
    assert "committed data differs from a fresh build" in stderr
    assert (code, stdout, stderr) == _build("--check")


def test_a_last_check_that_fails_while_the_child_renders_fails_the_build_as_before(
    project, forking, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rendering child starts before the last checks: one that fails still fails the build
    with its own error and nothing printed, and the child is killed and reaped."""
    import os

    from nato_iraq_kg.build import forked_render
    from nato_iraq_kg.errors import CheckFailure

    children: list[int | None] = []
    real_start = forked_render.start_render

    def start(*args, **kwargs):
        pending = real_start(*args, **kwargs)
        children.append(pending.pid)
        return pending

    def refuse(*_: object) -> None:
        raise CheckFailure("a fact of the wrong kind")

    monkeypatch.setattr(forked_render, "start_render", start)
    monkeypatch.setattr(pipeline, "check_domains_and_ranges", refuse)
    code, stdout, stderr = _build("--check", "--no-cache")
    assert (code, stdout) == (1, "")
    assert stderr == "error: a fact of the wrong kind\n"
    (pid,) = children
    assert pid is not None  # a child was forked, and is gone
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_a_rendering_started_early_gives_the_files_of_rendering_at_once(fresh, forking) -> None:
    """Started, then finished after other work: the same files as rendering in one process."""
    from nato_iraq_kg.build.forked_render import start_render

    result, files = fresh
    pending = start_render(result, run_quality=False)
    assert pending.pid is not None
    pipeline.check_assembled(result)
    ours, quality = pending.finish()
    assert (ours, quality) == (files, None)
    pending.abandon()  # after finish: nothing left to do


def test_the_screen_child_given_the_builds_ontology_answers_as_with_its_own(fresh, forking) -> None:
    """The build reads the ontology once and forks the screen child with it: the same answers
    as a child that reads its own, for conforming and for broken files."""
    from nato_iraq_kg.build.screen_worker import ScreenWorker
    from nato_iraq_kg.build.store import load_build_ontology

    _, files = fresh
    broken = dict(files)
    broken["nato-iraq.nt"] = files["nato-iraq.nt"].replace(
        '"15000"^^<http://www.w3.org/2001/XMLSchema#integer>', '"fifteen thousand"', 1
    )
    assert broken != files
    for sent, expected in ((files, True), (broken, False)):
        answers = []
        for ontology in (load_build_ontology(), None):
            worker = ScreenWorker.start(ontology=ontology)
            assert worker is not None
            worker.submit(sent)
            answers.append(worker.conforms())
        assert answers == [expected, expected]


@pytest.mark.parametrize("flags", [("--check",), ("--check", "--no-cache")])
def test_a_broken_ontology_fails_every_build_with_one_line(project, flags) -> None:
    """Read before anything else, with or without the screen child: exit 2, the file named."""
    ontology = project / "ontology" / "nato-iraq.ttl"
    assert ontology.is_file()
    ontology.write_text("@prefix : <x> .\n:a :b", encoding="utf-8")
    code, stdout, stderr = _build(*flags)
    assert (code, stdout) == (2, "")
    assert stderr.startswith(f"error: {ontology}: malformed Turtle")
    assert stderr.count("\n") == 1
