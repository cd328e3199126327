"""Helpers shared by the publish tests: run the command, read a store's graphs, make variants."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from nato_iraq_kg.cli import cli
from nato_iraq_kg.remote.client import Connection, SparqlClient
from nato_iraq_kg.remote.publish import read_graphs
from nato_iraq_kg.remote.publish_plan import PUBLISHED_NAMESPACE, quads_digest

ROOT = Path(__file__).resolve().parents[1]
DATASET_NQ = ROOT / "data" / "nato-iraq.nq"
DATASET_QUADS = 9946  # lines of data/nato-iraq.nq, one quad each
DATASET_GRAPHS = 331
DROPPED_GRAPH = (
    "https://w3id.org/nato-iraq-kg/id/assertion/nato-relations-with-iraq-2017-02-03/"
    "name-actor-al-abadi"
)


def publish_cli(*args: str, password: str | None = None) -> Result:
    """Run ``nato-iraq-kg publish`` with the password in the environment, as a script would."""
    env = {"NATO_IRAQ_KG_PASSWORD": password} if password is not None else {}
    return CliRunner().invoke(cli, ["publish", *args], env=env)


def store_state(query_url: str, user: str | None = None, password: str | None = None):
    """Return (count, hash, graphs) of every graph under the project's namespace in the store."""
    client = SparqlClient(Connection(query_url, query_url, user, password))
    graphs = read_graphs(client, f'FILTER(STRSTARTS(STR(?g), "{PUBLISHED_NAMESPACE}"))')
    return sum(len(v) for v in graphs.values()), quads_digest(graphs), graphs


def changed_dataset(folder: Path) -> Path:
    """Write a variant of the dataset: one assertion graph gone, one label changed."""
    lines = DATASET_NQ.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.rstrip().endswith(f"<{DROPPED_GRAPH}> .")]
    assert len(kept) < len(lines)
    changed = [
        line.replace('"NATO"@en', '"North Atlantic Treaty Organization"@en', 1)
        if line.startswith("<https://w3id.org/nato-iraq-kg/id/actor/nato> ")
        else line
        for line in kept
    ]
    assert changed != kept
    path = folder / "changed.nq"
    path.write_text("".join(changed), encoding="utf-8")
    return path
