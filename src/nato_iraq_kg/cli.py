"""The ``nato-iraq-kg`` command: one click group, one command per job.

Data goes to stdout, diagnostics to stderr. Exit codes: 0 success, 1 a check failed (a quote or
a shape), 2 unusable input (a missing or altered source, a malformed file or query).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import KGError


def _fail(error: KGError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


@click.group()
@click.version_option(package_name="nato-iraq-kg")
def cli() -> None:
    """Build, check and query the NATO–Iraq relations knowledge graph."""


@cli.command()
@click.option(
    "--check",
    is_flag=True,
    help="Build in memory and compare with the files in data/; write nothing (exit 1 if stale).",
)
def build(check: bool) -> None:
    """Build the graph from the sources, check every quote and shape, and write data/."""
    from . import build as build_module
    from .serialize import trig, turtle
    from .summary import summary_lines
    from .validate import validate_graph

    try:
        result = build_module.assemble()
        for line in summary_lines(result):
            click.echo(line)
        everything = result.facts() + result.graphs[build_module.EVIDENCE_GRAPH]
        report = validate_graph(everything, ontology=result.ontology)
        status = "conforms" if report.conforms else "DOES NOT CONFORM"
        click.echo(
            f"Validation (SHACL): {status} "
            f"({len(report.violations)} violations, {len(report.warnings)} warnings)"
        )
        for item in report.results:
            click.echo(
                f"  {item.severity}: {item.focus} {item.path or ''}: {item.message}", err=True
            )
        if not report.conforms:
            raise build_module.CheckFailure("the graph violates the shapes; data/ left unchanged")
        if check:
            folder = build_module.paths.data_dir()
            expected = {
                folder / build_module.FACTS_FILE: turtle(result.facts()),
                folder / build_module.DATASET_FILE: trig(result.dataset_graphs()),
            }
            stale = [
                str(path)
                for path, text in expected.items()
                if not path.is_file() or path.read_text(encoding="utf-8") != text
            ]
            if stale:
                raise build_module.CheckFailure(
                    f"committed data differs from a fresh build: {', '.join(stale)} "
                    "(run 'nato-iraq-kg build')"
                )
            click.echo("data/ is up to date with a fresh build")
            return
        for path in build_module.write(result):
            click.echo(f"Wrote {path.relative_to(build_module.paths.project_root())}")
    except KGError as error:
        _fail(error)


@cli.command()
@click.argument("query_file", required=False, type=click.Path(path_type=Path))
@click.option("--sparql", help="A SPARQL SELECT query given on the command line.")
@click.option("--width", default=100, show_default=True, help="Cut cells wider than this.")
def query(query_file: Path | None, sparql: str | None, width: int) -> None:
    """Run a SPARQL SELECT query (a .rq file or --sparql) on the built graph, with no server."""
    from .query import load_graph, select, table

    try:
        if (query_file is None) == (sparql is None):
            raise click.UsageError("give either a query file or --sparql, not both or neither")
        if query_file is not None:
            try:
                sparql = query_file.read_text(encoding="utf-8")
            except OSError as exc:
                from .errors import InputError

                raise InputError(f"{query_file}: cannot read ({exc.strerror})") from exc
        click.echo(table(select(load_graph(), sparql or ""), width))
    except KGError as error:
        _fail(error)


@cli.command()
@click.option(
    "--with-data", is_flag=True, help="Reason over the built facts too, not only the ontology."
)
def reason(with_data: bool) -> None:
    """Check the ontology with the HermiT OWL reasoner: consistent, no unsatisfiable class."""
    from . import paths
    from .build import FACTS_FILE
    from .reasoning import check_ontology

    data = [paths.data_dir() / FACTS_FILE] if with_data else []
    report = check_ontology(paths.ontology_file(), data)
    click.echo(f"Reasoner: {report.reasoner}")
    click.echo(f"Consistent: {'yes' if report.consistent else 'NO'}")
    click.echo(f"Unsatisfiable classes: {len(report.unsatisfiable_classes)}")
    for iri in report.unsatisfiable_classes:
        click.echo(f"  {iri}")
    if report.message:
        click.echo(report.message, err=True)
    if not report.consistent or report.unsatisfiable_classes:
        sys.exit(1)


@cli.group()
def curate() -> None:
    """Helpers for people who edit the curated files."""


@curate.command("fill-offsets")
def fill_offsets_command() -> None:
    """Add the missing 'at:' offset of every quote that occurs once in its source."""
    from . import paths
    from .curate import fill_offsets
    from .source import load_revisions

    try:
        for revision in load_revisions(paths.source_dir()):
            report = fill_offsets(revision.curation_path, revision.text)
            click.echo(f"{revision.curation_path}: filled {report.filled} offset(s)")
            for line in report.ambiguous + report.missing:
                click.echo(f"  {line}", err=True)
    except KGError as error:
        _fail(error)


def main() -> None:
    """Entry point of the console script."""
    cli()
