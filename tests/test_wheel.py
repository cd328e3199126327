"""The release as a new user gets it: sdist and wheel built, the wheel installed in a fresh venv.

Everything runs from a temporary folder outside the checkout, with ``$NATO_IRAQ_KG_ROOT`` unset,
so a file missing from the wheel fails here and not on a user's machine. ``make dist`` builds
into ``dist/`` and points ``$NATO_IRAQ_KG_DIST`` at it; otherwise the fixture builds (with
``python -m build``, which makes the sdist first and then the wheel from the sdist, so the sdist
is checked too). One venv: the wheel goes in without extras first (to see the missing-extra
errors), then with ``[serve,reason]``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from answers import answer_from_csv, answer_from_file
from loopback import free_port, stop_process

ROOT = Path(__file__).resolve().parents[1]
RELEASED = ("data", "ontology", "queries")
DIST_VARIABLE = "NATO_IRAQ_KG_DIST"


def _tracked(*folders: str) -> set[str]:
    """Return the files git tracks under ``folders`` (the release's single source of truth)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", *folders], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return {name for name in listing.split("\0") if name}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Return (sdist, wheel): from ``$NATO_IRAQ_KG_DIST``, or freshly built from the checkout."""
    given = os.environ.get(DIST_VARIABLE)
    folder = Path(given).resolve() if given else tmp_path_factory.mktemp("dist")
    if not given:
        subprocess.run(
            [sys.executable, "-m", "build", "--outdir", str(folder), str(ROOT)],
            check=True,
            capture_output=True,
        )
    sdists, wheels = sorted(folder.glob("*.tar.gz")), sorted(folder.glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, f"expected one sdist and one wheel in {folder}"
    return sdists[0], wheels[0]


@dataclass
class Installed:
    """A fresh venv with the wheel in it, and a folder outside the checkout to run from."""

    bin: Path
    site: Path
    cwd: Path
    wheel: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("NATO_IRAQ_KG_ROOT", "VIRTUAL_ENV")}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env.pop("PYTHONPATH", None)
        return {**env, **extra}

    def run(self, *args: str, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / "nato-iraq-kg"), *args],
            cwd=self.cwd,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def python(self, code: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / "python"), "-c", code],
            cwd=self.cwd,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=300,
        )

    def pip_install(self, requirement: str) -> None:
        subprocess.run(
            [str(self.bin / "python"), "-m", "pip", "install", "--quiet", requirement],
            cwd=self.cwd,
            env=self.env(),
            check=True,
            timeout=900,
        )


@pytest.fixture(scope="module")
def installed(dist: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Install the wheel (no extras) into a fresh venv; the tests run in a folder of their own."""
    base = tmp_path_factory.mktemp("wheel-venv")
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True)
    bin_dir = base / "venv" / "bin"
    cwd = base / "elsewhere"
    cwd.mkdir()
    probe = Installed(bin_dir, Path(), cwd, dist[1])
    probe.pip_install(str(dist[1]))
    where = probe.python(
        "import nato_iraq_kg, pathlib; print(pathlib.Path(nato_iraq_kg.__file__).parent)"
    )
    assert where.returncode == 0, where.stderr
    probe.site = Path(where.stdout.strip())
    assert ROOT not in probe.site.parents, "the venv imported the checkout, not the wheel"
    return probe


def test_sdist_carries_the_sources(dist: tuple[Path, Path]) -> None:
    """The sdist holds every tracked file of data/, ontology/, queries/ and the build hook."""
    sdist = dist[0]
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        names = {name.removeprefix(f"{top}/") for name in archive.getnames()}
    expected = _tracked(*RELEASED)
    assert len(expected) > 100, "git ls-files found too few released files"
    assert expected <= names, f"missing from the sdist: {sorted(expected - names)[:5]}"
    assert {"setup.py", "MANIFEST.in", "pyproject.toml", "CITATION.cff", "LICENSE"} <= names


def test_wheel_carries_the_release_with_its_manifest(dist: tuple[Path, Path]) -> None:
    """The wheel ships every tracked released file under _release/, each in the manifest."""
    prefix = "nato_iraq_kg/_release/"
    with zipfile.ZipFile(dist[1]) as archive:
        names = {n.removeprefix(prefix) for n in archive.namelist() if n.startswith(prefix)}
        manifest = archive.read(f"{prefix}MANIFEST.sha256").decode("utf-8").splitlines()
    expected = _tracked(*RELEASED) | {"docs/ontology.html", "CHANGELOG.md", "CITATION.cff"}
    assert expected <= names, f"missing from the wheel: {sorted(expected - names)[:5]}"
    listed = {line.split("  ", 1)[1] for line in manifest}
    assert listed == names - {"MANIFEST.sha256"}


def test_python_api_from_any_folder(installed: Installed) -> None:
    """load_graph() and query() answer from the packaged dataset, outside any checkout."""
    code = (
        "import json; from nato_iraq_kg import load_graph, query, paths\n"
        "store = load_graph()\n"
        "print(json.dumps({'root': str(paths.project_root()), 'rows': query('05', store)}))"
    )
    done = installed.python(code)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert Path(answer["root"]) == installed.site / "_release"
    requesters = sorted((row["requester"], row["requested"]) for row in answer["rows"])
    assert requesters == [
        ("Al-Abadi", "DCB package for Iraq"),
        ("Iraqi government", "DCB package for Iraq"),
        ("Iraqi government", "training and capacity building effort within Iraq"),
        ("Iraqi interim government", "NATO Training Mission-Iraq"),
    ]


def test_version_names_code_dataset_and_source(installed: Installed) -> None:
    """--version prints the code version, the dataset release and the source revision."""
    done = installed.run("--version")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    code = re.search(r'__version__ = "(.+)"', (ROOT / "src/nato_iraq_kg/__init__.py").read_text())
    release = tomllib.loads((ROOT / "data" / "release.toml").read_text(encoding="utf-8"))
    assert code is not None
    assert lines[0] == f"nato-iraq-kg {code.group(1)}"
    assert lines[1] == f"dataset {release['version']} (released {release['issued']})"
    assert lines[2].startswith("source nato-relations-with-iraq-2017-02-03 (Relations with Iraq")


def test_query_list_and_by_name(installed: Installed) -> None:
    """query --list lists every competency question; query 05 gives the hand-written answer."""
    listed = installed.run("query", "--list")
    assert listed.returncode == 0, listed.stderr
    questions = sorted((ROOT / "queries" / "cq").glob("*.rq"))
    assert len(questions) >= 40
    assert [line.split()[0] for line in listed.stdout.splitlines()] == [q.stem for q in questions]
    done = installed.run("query", "05", "--format", "csv")
    assert done.returncode == 0, done.stderr
    expected = answer_from_file(ROOT / "queries" / "cq" / "05-requests-and-requesters.csv")
    assert answer_from_csv(done.stdout).same_as(expected)


def test_evidence_validate_export(installed: Installed) -> None:
    """evidence finds the quotes, validate conforms, export matches the committed dump."""
    evidence = installed.run("evidence", "NTM-I", "--width", "200")
    assert evidence.returncode == 0, evidence.stderr
    assert "during which 15,000 Iraqi officers were trained" in evidence.stdout
    valid = installed.run("validate")
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "Conforms: 0 SHACL violation(s)" in valid.stdout
    export = installed.run("export", "--format", "ttl")
    assert export.returncode == 0, export.stderr
    assert export.stdout == (ROOT / "data" / "nato-iraq.ttl").read_text(encoding="utf-8")


def test_build_checks_but_does_not_write_the_package(installed: Installed) -> None:
    """build --check verifies the packaged data; build refuses in one line; --output writes."""
    refused = installed.run("build")
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "needs a checkout" in refused.stderr
    checked = installed.run("build", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "data/ is up to date" in checked.stdout
    out = installed.cwd / "rebuilt"
    written = installed.run("build", "--output", str(out))
    assert written.returncode == 0, written.stderr
    assert (out / "tables" / "facts.csv").read_bytes() == (
        ROOT / "data" / "tables" / "facts.csv"
    ).read_bytes()


def test_missing_extras_are_one_line_errors(installed: Installed) -> None:
    """Without the extras, serve and reason each say in one line what to install."""
    serve = installed.run("serve", "--port", str(free_port()))
    assert serve.returncode == 2
    assert serve.stderr.count("\n") == 1 and "nato-iraq-kg[serve]" in serve.stderr
    reason = installed.run("reason")
    assert reason.returncode == 2
    assert reason.stderr.count("\n") == 1 and "nato-iraq-kg[reason]" in reason.stderr


@pytest.fixture(scope="module")
def with_extras(installed: Installed) -> Installed:
    """The same venv with the serve and reason extras added."""
    installed.pip_install(f"nato-iraq-kg[serve,reason] @ {installed.wheel.as_uri()}")
    return installed


def test_reason_with_extra(with_extras: Installed) -> None:
    """reason runs HermiT over the packaged ontology."""
    done = with_extras.run("reason")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Consistent: yes" in done.stdout and "Unsatisfiable classes: 0" in done.stdout


@pytest.fixture
def server(with_extras: Installed) -> Iterator[str]:
    """Start ``nato-iraq-kg serve`` from the wheel on a loopback port; yield its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(with_extras.bin / "nato-iraq-kg"), "serve", "--port", str(port)],
        cwd=with_extras.cwd,
        env=with_extras.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                urllib.request.urlopen(f"{base}/.well-known/void", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.3)
        yield base
    finally:
        stop_process(process)


def test_serve_with_extra(server: str) -> None:
    """The installed server answers SPARQL and serves the packaged dumps and ontology page."""
    query = urllib.parse.quote("ASK { actor:nato rdfs:label 'NATO'@en }")
    request = urllib.request.Request(
        f"{server}/sparql?query={query}", headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.load(response)["boolean"] is True
    for name in ("void.ttl", "tables/facts.csv"):
        with urllib.request.urlopen(f"{server}/data/{name}", timeout=30) as response:
            assert response.read() == (ROOT / "data" / name).read_bytes()
    page = urllib.request.Request(f"{server}/ontology", headers={"Accept": "text/html"})
    with urllib.request.urlopen(page, timeout=30) as response:
        assert b"NATO" in response.read()


def test_root_variable_points_at_a_checkout(with_extras: Installed) -> None:
    """$NATO_IRAQ_KG_ROOT still points everything at a checkout, even from the installed wheel."""
    done = with_extras.python(
        "from nato_iraq_kg import paths; print(paths.project_root())", NATO_IRAQ_KG_ROOT=str(ROOT)
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == ROOT


def test_damaged_packaged_file_is_named(with_extras: Installed) -> None:
    """A packaged file changed after install is reported by name, in one line, exit 2."""
    target = with_extras.site / "_release" / "data" / "nato-iraq.trig"
    original = target.read_bytes()
    try:
        target.write_bytes(original.replace(b"NATO", b"OTAN", 1))
        done = with_extras.run("query", "05")
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1, done.stderr
        assert "nato-iraq.trig: damaged" in done.stderr and "Traceback" not in done.stderr
        api = with_extras.python(
            "from nato_iraq_kg import load_graph\n"
            "try:\n    load_graph()\nexcept Exception as e:\n    print(type(e).__name__, e)"
        )
        assert api.stdout.startswith("InputError") and "nato-iraq.trig: damaged" in api.stdout
    finally:
        target.write_bytes(original)
