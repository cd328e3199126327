"""A release people can cite and load without RDF tools: one version, consistent descriptions.

``data/release.toml`` is the one place the dataset version and date are written; VoID, the
RO-Crate, the data package, the ontology and CITATION.cff must all say the same, and the three
generated descriptions must agree with the files on sizes and counts.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, XSD

from nato_iraq_kg.namespaces import NIK, ONTOLOGY_IRI

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DATASET = URIRef("https://w3id.org/nato-iraq-kg/id/dataset")
CFFCONVERT = ROOT / ".venv" / "tools" / "cffconvert" / "bin" / "cffconvert"


@pytest.fixture(scope="module")
def release() -> dict:
    return tomllib.loads((DATA / "release.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def void() -> Graph:
    return Graph().parse(DATA / "void.ttl", format="turtle")


@pytest.fixture(scope="module")
def crate() -> dict:
    return json.loads((DATA / "ro-crate-metadata.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def package() -> dict:
    return json.loads((DATA / "tables" / "datapackage.json").read_text(encoding="utf-8"))


def _entities(crate: dict) -> dict[str, dict]:
    return {entity["@id"]: entity for entity in crate["@graph"]}


def _table(name: str) -> list[dict[str, str]]:
    with (DATA / "tables" / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_every_description_states_the_release_version_and_date(
    release: dict, void: Graph, crate: dict, package: dict
) -> None:
    """VoID, RO-Crate, data package, ontology, CITATION.cff and CHANGELOG say the same release."""
    version, issued = release["version"], release["issued"].isoformat()
    assert void.value(DATASET, DCAT.version) == Literal(version)
    assert void.value(DATASET, OWL.versionInfo) == Literal(version)
    assert void.value(DATASET, DCTERMS.issued) == Literal(issued, datatype=XSD.date)
    root = _entities(crate)["./"]
    assert (root["version"], root["datePublished"]) == (version, issued)
    assert package["version"] == version and package["created"].startswith(issued)
    ontology = Graph().parse(ROOT / "ontology" / "nato-iraq.ttl", format="turtle")
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal(version)
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{version}")
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(citation["version"]) == version and str(citation["date-released"]) == issued
    assert f"## Dataset {version}," in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_void_is_derived_from_the_source_revision(void: Graph) -> None:
    """VoID names the exact source revision the release was built from."""
    revision = URIRef("https://w3id.org/nato-iraq-kg/id/source/nato-relations-with-iraq-2017-02-03")
    assert (DATASET, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), revision) in void


def test_sizes_agree_across_void_crate_package_and_files(
    void: Graph, crate: dict, package: dict
) -> None:
    """Each file's size is the same in VoID, the RO-Crate, the data package and on disk."""
    entities = _entities(crate)
    files = [e for e in entities.values() if e.get("@type") == "File"]
    assert len(files) >= 17, "the crate lists too few files"
    for entity in files:
        assert int(entity["contentSize"]) == (DATA / entity["@id"]).stat().st_size, entity["@id"]
    root_parts = {part["@id"] for part in entities["./"]["hasPart"]}
    assert root_parts == {e["@id"] for e in files}
    distributions = list(void.objects(DATASET, DCAT.distribution))
    assert len(distributions) >= 14
    for distribution in distributions:
        url = str(void.value(distribution, DCAT.downloadURL))
        name = url.split("/data/", 1)[1]
        size = int(void.value(distribution, DCAT.byteSize))
        assert size == (DATA / name).stat().st_size == int(entities[name]["contentSize"]), name
    resources = package["resources"]
    assert [r["name"] for r in resources] == [
        "events",
        "actors",
        "programmes",
        "cooperation_areas",
        "quantities",
        "facts",
    ]
    for resource in resources:
        path = DATA / "tables" / resource["path"]
        assert (
            resource["bytes"]
            == path.stat().st_size
            == int(entities[f"tables/{resource['path']}"]["contentSize"])
        )


def _void_class_count(void: Graph, ontology: Graph, cls: URIRef) -> int:
    """Return VoID's class partition of ``cls``: the data ship every superclass type (entailed),
    so the partition of the class itself counts its subclasses' members too."""
    for partition in void.objects(DATASET, VOID.classPartition):
        if void.value(partition, VOID["class"]) == cls:
            return int(void.value(partition, VOID.entities))
    return 0


@pytest.mark.parametrize(
    ("table", "key", "cls", "expected"),
    [
        # counts as the page gives them (see the README's "What is in the graph")
        ("events", "event", NIK.Event, 29),
        ("actors", "actor", NIK.Actor, 31),
        ("programmes", "programme", NIK.Programme, 13),
        ("cooperation_areas", "area", NIK.CooperationArea, 28),
        ("quantities", "quantity", NIK.Quantity, 5),
    ],
)
def test_table_counts_agree_with_void(
    void: Graph, table: str, key: str, cls: URIRef, expected: int
) -> None:
    """Each entity table has one entry per instance, as many as VoID's class partitions count."""
    ontology = Graph().parse(ROOT / "ontology" / "nato-iraq.ttl", format="turtle")
    distinct = {row[key] for row in _table(table)}
    assert len(distinct) == expected == _void_class_count(void, ontology, cls)


def test_facts_table_quotes_are_the_text_at_their_offsets() -> None:
    """Every row of facts.csv quotes the source text exactly at its start and end."""
    text = (DATA / "source" / "nato-relations-with-iraq-2017-02-03.txt").read_text(encoding="utf-8")
    rows = _table("facts")
    assert len(rows) > 500
    for row in rows:
        assert text[int(row["start"]) : int(row["end"])] == row["quote"], row
    assert len({r["evidence"] for r in rows}) == 326  # the build's count of quotes checked


def test_facts_table_has_the_ntm_i_officers_fact() -> None:
    """The 15,000 officers trained by NTM-I, with the quote and offsets of key point 2."""
    quantity = "https://w3id.org/nato-iraq-kg/id/quantity/ntm-i-officers-trained"
    wanted = {
        "subject": quantity,
        "predicate": "https://schema.org/value",
        "object": "15000",
        "quote": "during which 15,000 Iraqi officers were trained",
        "start": "760",
        "end": "807",
        "source": "https://w3id.org/nato-iraq-kg/id/source/nato-relations-with-iraq-2017-02-03",
    }
    found = [{k: r[k] for k in wanted} for r in _table("facts") if r["subject"] == quantity]
    assert wanted in found


def test_events_table_keeps_both_precisions() -> None:
    """The NTM-I closure is dated 2011 and December 2011: two rows, each with its precision."""
    rows = [r for r in _table("events") if r["event"].endswith("/event/2011-ntm-i-closure")]
    got = Counter((r["date_label"], r["precision"], r["earliest"], r["latest"]) for r in rows)
    assert got == Counter(
        [
            ("2011", "YearDate", "2011-01-01", "2011-12-31"),
            ("December 2011", "MonthDate", "2011-12-01", "2011-12-31"),
        ]
    )


def test_data_package_is_valid_frictionless() -> None:
    """frictionless validates every table against its schema, size and hash."""
    from frictionless import validate

    report = validate(DATA / "tables" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    assert len(report.tasks) == 6


def test_data_package_catches_an_altered_table(tmp_path: Path) -> None:
    """A copy whose facts.csv lost a row fails frictionless validation (hash and size)."""
    from frictionless import validate

    copy = tmp_path / "tables"
    copy.mkdir()
    for path in (DATA / "tables").iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    facts = (copy / "facts.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (copy / "facts.csv").write_text("".join(facts[:-1]), encoding="utf-8")
    report = validate(copy / "datapackage.json")
    assert not report.valid
    types = {error.type for task in report.tasks for error in task.errors}
    assert "hash-count" in types or "byte-count" in types


def test_readme_pandas_snippet_prints_what_the_readme_says() -> None:
    """The README's three lines of pandas run and print the output shown below them."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in readme.split("```python\n")[1:] if "import pandas" in b]
    assert len(blocks) == 1
    code = blocks[0].split("```", 1)[0]
    shown = blocks[0].split("```text\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) == 3
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == shown


def test_crate_reads_back_with_ro_crate_py(release: dict) -> None:
    """ro-crate-py reads the crate: its version, source page and every file part."""
    from rocrate.rocrate import ROCrate

    crate = ROCrate(DATA)
    root = crate.root_dataset
    assert root["version"] == release["version"]
    assert root["isBasedOn"].id == "https://www.nato.int/cps/en/natohq/topics_88247.htm"
    parts = {entity.id for entity in crate.data_entities}
    assert {"nato-iraq.trig", "void.ttl", "tables/facts.csv", "tables/datapackage.json"} <= parts
    assert root["license"].id == "https://creativecommons.org/licenses/by/4.0/"


def test_crate_passes_roc_validator_offline(tmp_path: Path) -> None:
    """roc-validator's RO-Crate 1.1 checks (required and recommended) pass, offline.

    The validator fetches the crate's JSON-LD context from w3id.org; with no network here, the
    copy it checks carries that context inline (ro-crate-py ships it), and the one requirement
    that checks the ``@context`` value itself (``ro-crate-1.1_4.0``) is skipped.
    """
    import rocrate

    context_file = Path(rocrate.__file__).parent / "data" / "ro-crate.jsonld"
    context = json.loads(context_file.read_text(encoding="utf-8"))["@context"]
    for path in DATA.rglob("*"):
        if path.is_file():
            target = tmp_path / path.relative_to(DATA)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    metadata = json.loads((DATA / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    metadata["@context"] = context
    (tmp_path / "ro-crate-metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    validator = Path(sys.executable).parent / "rocrate-validator"
    done = subprocess.run(
        [
            str(validator),
            "-y",
            "--disable-color",
            "validate",
            "-p",
            "ro-crate-1.1",
            "-l",
            "recommended",
            "--skip-availability-check",
            "-s",
            "ro-crate-1.1_4.0",
            "--output-format",
            "json",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": str(Path(sys.executable).parent)},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["passed"] is True and report["issues"] == []
    assert report["statistics"]["total_checks"] >= 60


def test_citation_cff_is_valid() -> None:
    """cffconvert (in its own venv, see the Makefile) validates CITATION.cff."""
    assert CFFCONVERT.is_file(), f"{CFFCONVERT} missing: run 'make test' (it installs it)"
    done = subprocess.run(
        [str(CFFCONVERT), "--validate", "-i", str(ROOT / "CITATION.cff")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_citation_cff_validation_can_fail(tmp_path: Path) -> None:
    """cffconvert rejects a CITATION.cff without authors (so the check above can fail)."""
    assert CFFCONVERT.is_file(), f"{CFFCONVERT} missing: run 'make test' (it installs it)"
    broken = tmp_path / "CITATION.cff"
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    broken.write_text(text.replace("authors:\n", "authorz:\n"), encoding="utf-8")
    done = subprocess.run(
        [str(CFFCONVERT), "--validate", "-i", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0


def test_version_option_prints_code_dataset_and_source(release: dict) -> None:
    """--version names the code version, the dataset release and the source revision."""
    from click.testing import CliRunner

    from nato_iraq_kg import __version__
    from nato_iraq_kg.cli import cli

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        f"nato-iraq-kg {__version__}",
        f"dataset {release['version']} (released {release['issued'].isoformat()})",
    ]
    assert lines[2].startswith("source nato-relations-with-iraq-2017-02-03 (Relations with Iraq,")
    assert "03 Feb. 2017 14:39" in lines[2]


def test_version_option_reports_a_broken_release_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A malformed data/release.toml makes --version say so in one line (exit 2)."""
    from click.testing import CliRunner

    from nato_iraq_kg.cli import cli

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "release.toml").write_text('version = "one"\n', encoding="utf-8")
    monkeypatch.setenv("NATO_IRAQ_KG_ROOT", str(tmp_path))
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 2
    assert "release.toml: 'version' must be a semantic version" in result.output
