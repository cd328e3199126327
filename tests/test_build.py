"""The build end to end: byte-stable output, fresh data/, one clear error per bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nato_iraq_kg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
CURATION = Path("data/curation/nato-relations-with-iraq-2017-02-03.yaml")
SOURCE = Path("data/source/nato-relations-with-iraq-2017-02-03.txt")
OUTPUTS = tuple(
    Path("data") / name
    for name in (
        "nato-iraq.ttl",
        "nato-iraq.nt",
        "nato-iraq.rdf",
        "nato-iraq.jsonld",
        "timeline.jsonld",
        "nato-iraq.trig",
        "nato-iraq.nq",
        "void.ttl",
    )
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the project's inputs and outputs, used as the build's root."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.setenv("NATO_IRAQ_KG_ROOT", str(tmp_path))
    return tmp_path


def outputs(root: Path) -> dict[Path, bytes]:
    """Return the bytes of the build's output files."""
    return {path: (root / path).read_bytes() for path in OUTPUTS}


def run_build(*args: str) -> tuple[int, str, str]:
    """Run ``nato-iraq-kg build`` in-process; return exit code, stdout and stderr."""
    result = CliRunner().invoke(cli, ["build", *args])
    return result.exit_code, result.stdout, result.stderr


def edit(root: Path, relative: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) by ``new`` in a project file."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture edit: {old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_committed_data_matches_a_fresh_build() -> None:
    """data/ in the repository is exactly what a fresh build writes."""
    code, stdout, stderr = run_build("--check")
    assert code == 0, stderr
    assert "up to date" in stdout


def test_two_builds_in_separate_processes_are_byte_identical(project: Path) -> None:
    """Builds with different hash seeds write the same bytes."""
    snapshots = []
    for seed in ("1", "2"):
        env = {**os.environ, "NATO_IRAQ_KG_ROOT": str(project), "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "nato_iraq_kg", "build"],
            env=env,
            check=True,
            capture_output=True,
        )
        snapshots.append(outputs(project))
    assert snapshots[0] == snapshots[1]
    assert snapshots[0] == outputs(ROOT)


def test_build_prints_counts_validation_and_writes(project: Path) -> None:
    """A good build reports counts per class, the validation status, and what it wrote."""
    for path in OUTPUTS:
        (project / path).unlink()
    code, stdout, _ = run_build()
    assert code == 0
    assert "Instances per class" in stdout
    assert "Validation (SHACL): conforms" in stdout
    assert all((project / path).is_file() for path in OUTPUTS)


BAD_INPUTS = [
    pytest.param(
        lambda root: edit(root, SOURCE, "15,000", "16,000"),
        2,
        "SHA-256",
        id="altered-source",
    ),
    pytest.param(lambda root: (root / SOURCE).unlink(), 2, "cannot read", id="missing-source"),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            'quote: "during which 15,000 Iraqi officers were trained"',
            'quote: "during which 16,000 Iraqi officers were trained"',
        ),
        1,
        "'kp2-ntm-i-trained': quote does not match the text",
        id="corrupted-quote",
    ),
    pytest.param(
        lambda root: edit(root, CURATION, "    at: 3474\n", "    at: 3475\n"),
        1,
        "'pc4-al-abadi-office': quote does not match the text at offset 3475",
        id="wrong-offset",
    ),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            "programme:nato-iraq-partnership nik:buildsOn programme:ntm-i .",
            "programme:nato-iraq-partnership nik:buildsOn programme:no-such-mission .",
        ),
        1,
        "'kp2-builds-on-ntm-i': unknown entity programme/no-such-mission",
        id="unknown-entity",
    ),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            "programme:in-country-training nik:startDate date:2017-01 .",
            "programme:in-country-training nik:startDate date:2017-13 .",
        ),
        1,
        "'kp7-in-country-started': malformed date",
        id="malformed-date",
    ),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            "  actor:jordan:\n    a: nik:State\n    label: Jordan\n",
            "  actor:jordan:\n    a: nik:State\n    label: Jordan\n"
            "  actor:jordan:\n    a: nik:State\n    label: Jordan\n",
        ),
        2,
        "duplicate key 'actor:jordan'",
        id="duplicate-iri",
    ),
    pytest.param(
        lambda root: edit(root, CURATION, "entities:\n", "entities: [\n"),
        2,
        "malformed YAML",
        id="malformed-yaml",
    ),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            "programme:in-country-training nik:startDate date:2017-01 .",
            "programme:in-country-training nik:startDate date:2017-01",
        ),
        2,
        "'kp7-in-country-started': malformed Turtle, line 1 of its turtle: EOF found after "
        "object: 'programme:in-country-training nik:startDate date:2017-01'",
        id="malformed-turtle",
    ),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            "actor:ntm-i-staff nik:staffOf programme:ntm-i ;",
            "actor:ntm-i-staff nik:staffOf programme:ntm-i ;"
            " nik:counterpart actor:iraqi-ministries ;",
        ),
        1,
        "'pc6-ntm-i-staff-role': actor:ntm-i-staff nik:counterpart actor:iraqi-ministries: the "
        "subject of nik:counterpart must be a nik:Event, but actor:ntm-i-staff is a "
        "nik:CollectiveBody",
        id="outside-the-domain",
    ),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            "programme:in-country-training nik:startDate date:2017-01 .",
            "programme:in-country-training nik:startDate actor:nato .",
        ),
        1,
        "the object of nik:startDate must be a nik:DateValue, but actor:nato is a "
        "nik:InternationalOrganization",
        id="outside-the-range",
    ),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            "actor:fouad-massoum ;\n          nik:date date:2016-03 .",
            "actor:fouad-massoum ;\n          nik:date date:2016-10 .",
        ),
        1,
        "'caption-photo-date': the quote does not state date:2016-10 (October not in the quote "
        "or its sentence)",
        id="date-not-in-the-quote",
    ),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            "quantity:ntm-i-officers-trained schema:value 15000 ;",
            "quantity:ntm-i-officers-trained schema:value 16000 ;",
        ),
        1,
        "'kp2-ntm-i-trained': the quote does not state the number 16000 (not in the quote)",
        id="number-not-in-the-quote",
    ),
    pytest.param(
        lambda root: edit(
            root, CURATION, "nik:startDate date:early-2016 ;", "nik:startDate date:late-2016 ;"
        ),
        1,
        "'kp5-mobile-teams': the quote does not state date:late-2016 (late not in the quote",
        id="vague-date-not-in-the-quote",
    ),
    pytest.param(
        lambda root: edit(root, CURATION, "nik:isTemporary true", "nik:isTemprary true"),
        1,
        "nik:isTemprary is not declared in the ontology; did you mean nik:isTemporary?",
        id="misspelt-property",
    ),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            "actor:ntm-i-staff nik:staffOf programme:ntm-i ;",
            "actor:ntm-i-staff nik:staffOf actor:iraqi-ministry ;",
        ),
        1,
        "unknown entity actor/iraqi-ministry (declare it under 'entities'); "
        "did you mean actor/iraqi-ministries?",
        id="misspelt-entity",
    ),
    pytest.param(
        lambda root: edit(
            root, CURATION, "nik:isTemporary true", "nik:isTemporary true ; a nik:Programe"
        ),
        1,
        "class nik:Programe is not declared in the ontology; did you mean nik:Programme?",
        id="misspelt-class",
    ),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            "programme:in-country-training nik:startDate date:2017-01 .",
            "programme:in-country-training shema:startDate date:2017-01 .",
        ),
        1,
        "'kp7-in-country-started': unknown prefix 'shema:' in its turtle; did you mean schema:",
        id="unknown-prefix",
    ),
    pytest.param(
        lambda root: edit(root, Path("data/curation/identity-links.tsv"), "Q57665", "Q57286"),
        1,
        "Wikidata Q57286 is not the checked ID Q57665",
        id="unchecked-wikidata-link",
    ),
    pytest.param(
        lambda root: edit(
            root,
            CURATION,
            '  - {date: "2011", events: [event:2011-ntm-i-closure]}\n',
            "",
        ),
        1,
        "milestone '2011' (milestone-2) has no entry",
        id="milestone-without-entry",
    ),
    pytest.param(
        lambda root: edit(root, CURATION, "      - [cyber defence, area:cyber-defence]\n", ""),
        1,
        "the list names 'cyber defence' before 'military training', which no item covers",
        id="list-item-left-out",
    ),
    pytest.param(
        lambda root: edit(root, CURATION, "label: Baghdad", "label: Bagdad"),
        1,
        "'Bagdad' does not occur in the text",
        id="label-not-in-text",
    ),
]


@pytest.mark.parametrize(("damage", "exit_code", "message"), BAD_INPUTS)
def test_bad_input_gives_one_clear_line_and_leaves_data_untouched(
    project: Path, damage, exit_code: int, message: str
) -> None:
    """Each kind of bad input: the right exit code, one line naming it, data/ unchanged."""
    before = outputs(project)
    damage(project)
    code, _, stderr = run_build()
    assert code == exit_code, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert "b'@prefix" not in lines[0] and len(lines[0]) < 400  # no dump of rdflib's buffer
    assert outputs(project) == before


def test_bad_input_cases_cover_every_kind_the_issue_names() -> None:
    """The table above has the cases the core issue lists (guards against losing some)."""
    ids = {case.id for case in BAD_INPUTS}
    assert {
        "altered-source",
        "missing-source",
        "corrupted-quote",
        "wrong-offset",
        "unknown-entity",
        "malformed-date",
        "duplicate-iri",
    } <= ids


def test_a_shape_violation_stops_the_build_before_writing(project: Path) -> None:
    """A fact that extracts fine but breaks a shape (a count that is not a number): exit 1."""
    before = outputs(project)
    edit(
        project,
        CURATION,
        "quantity:ntm-i-officers-trained schema:value 15000 ;",
        'quantity:ntm-i-officers-trained schema:value "fifteen thousand" ;',
    )
    code, stdout, stderr = run_build()
    assert code == 1
    assert "Validation (SHACL): DOES NOT CONFORM" in stdout
    assert "quantity/ntm-i-officers-trained" in stderr
    assert stderr.strip().splitlines()[-1].startswith("error: the graph violates the shapes")
    assert outputs(project) == before


def test_a_quality_check_violation_stops_the_build_before_writing(project: Path) -> None:
    """A second event with an existing event's label conforms to SHACL but fails a quality check.

    The build used to say "conforms" and write data/; only ``validate`` then reported the
    duplicate label. The build runs the quality checks itself and refuses (issue 22, item 1).
    """
    before = outputs(project)
    edit(
        project,
        CURATION,
        "  event:2011-ntm-i-closure:\n",
        "  event:2011-ntm-i-closure-again:\n"
        "    a: nik:Closure\n"
        "    label: The NTM-I is discontinued\n"
        "  event:2011-ntm-i-closure:\n",
    )
    code, stdout, stderr = run_build()
    assert code == 1, stderr
    assert "Validation (SHACL): conforms" in stdout
    assert "Quality checks: 5 passed, 2 failed" in stdout  # it also says nothing: unanchored
    assert "duplicate-label-violation: event:2011-ntm-i-closure, " in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("error: the graph fails quality check(s) duplicate-label-violation")
    assert last.endswith("; data/ left unchanged")
    assert outputs(project) == before
