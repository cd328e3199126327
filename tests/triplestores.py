"""Real triplestores for the publish tests: Virtuoso and Oxigraph server, on loopback, in tmp dirs.

Each server gets its own database folder and free ports on 127.0.0.1, starts in the foreground
as a child process, and is stopped by its fixture. Virtuoso takes a few seconds to create its
database, so its fixture is session-scoped and shared by every test that needs it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from loopback import free_port, stop_process

VIRTUOSO_VSP = Path("/var/lib/virtuoso-opensource-7/vsp")
DBA_PASSWORD = "publish-test-dba"
READER = ("reader", "publish-test-reader")


def wait_for_http(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Wait until ``url`` answers at all (any HTTP status), or fail if the process died."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.stdout.read() if process.stdout else b""
                raise RuntimeError(f"server did not start: {output[-2000:]!r}") from None
            time.sleep(0.2)


def oxigraph_binary() -> str:
    """Return the oxigraph server installed with the test extras (never skipped)."""
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    assert Path(found).exists(), "the 'oxigraph' package (test extras) is not installed"
    return found


class OxigraphServer:
    """An Oxigraph server over one database folder; it can be killed and started again."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    @property
    def update_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/update"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                oxigraph_binary(),
                "serve",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--union-default-graph",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        wait_for_http(f"{self.query_url}?query=ASK%7B%7D", self.process)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


@dataclass(frozen=True)
class VirtuosoServer:
    """A running Virtuoso: anonymous /sparql, digest-protected /sparql-auth, and its SQL port."""

    http_port: int
    sql_port: int
    folder: Path

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def auth_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    def isql(self, *statements: str, password: str = DBA_PASSWORD) -> str:
        """Run SQL statements as dba through Virtuoso's isql client."""
        script = "".join(f"{s};\n" for s in statements)
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", password],
            input=script.encode(),
            capture_output=True,
            timeout=60,
            check=True,
        )
        return done.stdout.decode("utf-8", "replace")


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 1
DirsAllowed = ., {d}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {vsp}
ServerThreads = 6
MaxClientConnections = 6
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


def virtuoso_binary() -> str:
    """Return Debian's Virtuoso server (installed by scripts/ensure-system-packages.sh)."""
    found = shutil.which("virtuoso-t")
    assert found, "virtuoso-t missing: run 'make system-deps' (Debian virtuoso-opensource)"
    return found


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """Start Virtuoso on loopback with its own database; set dba's password; add a reader."""
    folder = tmp_path_factory.mktemp("virtuoso")
    server = VirtuosoServer(free_port(), free_port(), folder)
    (folder / "virtuoso.ini").write_text(
        VIRTUOSO_INI.format(d=folder, sql=server.sql_port, http=server.http_port, vsp=VIRTUOSO_VSP)
    )
    process = subprocess.Popen(
        [virtuoso_binary(), "+foreground", "+configfile", str(folder / "virtuoso.ini")],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"{server.query_url}?query=ASK%7B%7D", process)
        server.isql(
            f"USER_SET_PASSWORD('dba', '{DBA_PASSWORD}')",
            f"DB.DBA.USER_CREATE('{READER[0]}', '{READER[1]}')",
            f'GRANT SPARQL_SELECT TO "{READER[0]}"',
            password="dba",
        )
        yield server
    finally:
        stop_process(process, grace_s=30)


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """An Oxigraph server with an empty, writable store, shared by the publish tests."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-publish"))
    server.start()
    yield server
    server.stop()
