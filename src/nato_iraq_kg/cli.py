"""The ``nato-iraq-kg`` command: one click group, one command per job.

Data goes to stdout, diagnostics to stderr. Exit codes: 0 success, 1 a check failed (a quote or
a shape), 2 unusable input (a missing or altered source, a malformed file or query).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from .errors import InputError, KGError
from .formats.registry import export_dumps

DEBUG_VARIABLE = "NATO_IRAQ_KG_DEBUG"


def _fail(error: KGError) -> NoReturn:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


class Commands(click.Group):
    """The command group, and the one place where every command's errors become exit codes.

    A :class:`KGError` prints its one line and exits with its code (1 a check failed, 2 unusable
    input). A closed pipe (``query --list | head``) ends quietly with 0. Anything else is a bug:
    one line and exit 2, never 1 (which means "a check failed"); ``$NATO_IRAQ_KG_DEBUG=1`` lets
    the traceback through.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KGError as error:
            _fail(error)
        except BrokenPipeError:
            _silence_stdout()
            sys.exit(0)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            click.echo(
                f"error: internal error ({type(error).__name__}: {error}); "
                f"{DEBUG_VARIABLE}=1 shows the traceback",
                err=True,
            )
            sys.exit(2)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Print the code version, the dataset release and the source revision, then exit."""
    if not value or ctx.resilient_parsing:
        return
    from . import __version__
    from .source.release import version_lines

    try:
        lines = version_lines(__version__)
    except KGError as error:  # an option callback runs before the group's handler
        _fail(error)
    for line in lines:
        click.echo(line)
    ctx.exit(0)


def max_input_size_option(command: Any) -> Any:
    """Add ``--max-input-size`` to a command that reads files a user names."""
    return click.option(
        "--max-input-size",
        "max_input_size",
        metavar="SIZE",
        help="Largest input file, e.g. 512M, 2G or none (gzip: once decompressed); default 128M, "
        "or $NATO_IRAQ_KG_MAX_INPUT_SIZE.",
    )(command)


def _input_limit(option: str | None) -> int | None:
    """Return the input cap in bytes from the option, the environment or the default."""
    from .guard.rdf_input import input_limit

    return input_limit(option)


@click.group(cls=Commands)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the code and dataset versions and the source revision, then exit.",
)
def cli() -> None:
    """Build, check and query the NATO–Iraq relations knowledge graph."""
    # rdflib logs a warning with a full traceback for every ill-typed literal it meets (such as
    # "y"^^xsd:integer): legal RDF, judged by the shapes (sh:datatype) where it matters, so a
    # user's file full of them would bury the verdict. Only the program is quietened, never a
    # library user's logging. Imported here, not at the top: `--help` never needs it.
    import logging

    logging.getLogger("rdflib.term").setLevel(logging.ERROR)


@cli.command()
@click.option(
    "--check",
    is_flag=True,
    help="Build in memory and compare with the files in data/; write nothing (exit 1 if stale).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Validate even if the output, shapes and ontology are unchanged since the last build.",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the files into this folder instead of data/ (how to build from an installed "
    "package).",
)
def build(check: bool, no_cache: bool, output: Path | None) -> None:
    """Build the graph from the sources, check every quote and shape, and write data/."""
    from .guard.cycle_collection import paused_cycle_collection

    with paused_cycle_collection():
        _build(check, no_cache, output)


def _build(check: bool, no_cache: bool, output: Path | None) -> None:
    """Do what :func:`build` says (its helpers and children without the cycle collector)."""
    from . import paths
    from .build.screen_worker import ScreenedConformance, ScreenWorker
    from .errors import CheckFailure

    packaged = paths.is_packaged()
    if not check and output is None:
        paths.require_checkout(
            "'build' writing data/",
            "; 'build --check' verifies them, 'build --output DIR' rebuilds them elsewhere",
        )
    use_cache = not (no_cache or packaged)
    # Without the cache, the validation's screen gets the second core (see screen_worker),
    # forked once the ontology both use is read, before the extraction is imported.
    ontology = None
    if not use_cache:
        from .build.store import load_build_ontology

        ontology = load_build_ontology()
    worker = None if use_cache else ScreenWorker.start(ontology=ontology)
    try:
        from .build import pipeline as stages
        from .build.forked_render import start_render
        from .build.summary import summary_lines

        result = stages.assemble_graphs(ontology=ontology)
        # TriG, N-Quads and (unless the screen child has them) the quality checks: a child,
        # at work while the last checks run here
        rendering = start_render(result, run_quality=worker is None)
        try:
            stages.check_assembled(result)
            for line in summary_lines(result):
                click.echo(line)
            files, quality = rendering.finish()
        finally:
            rendering.abandon()
        checked_aside = worker.submit(files) if worker is not None else False
        quality_error: Exception | None = None
        try:  # while the child screens; raised where the quality checks always ran
            if quality is None and not checked_aside:
                quality = stages.run_quality_checks_on(files)
        except Exception as error:
            quality_error = error
        report: Any = ScreenedConformance() if worker is not None and worker.conforms() else None
        try:  # the screen child's results, or (it had none after all) the checks run here
            if quality is None and quality_error is None:
                quality = worker.quality() if worker is not None else None
                if quality is None:
                    quality = stages.run_quality_checks_on(files)
        except Exception as error:
            quality_error = error
    finally:
        if worker is not None:
            worker.cancel()
    if report is None:
        report = stages.validate_outputs(result, files, use_cache=use_cache)
    status = "conforms" if report.conforms else "DOES NOT CONFORM"
    click.echo(
        f"Validation (SHACL): {status} "
        f"({len(report.violations)} violations, {len(report.warnings)} warnings)"
    )
    for item in report.results:
        click.echo(f"  {item.severity}: {item.focus} {item.path or ''}: {item.message}", err=True)
    if not report.conforms:
        raise CheckFailure("the graph violates the shapes; data/ left unchanged")
    if quality_error is not None:
        raise quality_error
    failed = [check for check in quality if not check.passed]
    click.echo(f"Quality checks: {len(quality) - len(failed)} passed, {len(failed)} failed")
    for check in failed:
        for row in check.rows.rows:
            cells = ", ".join(c or "" for c in row)
            click.echo(f"  Violation: {check.name}: {cells}: {check.question}", err=True)
    if failed:
        names = ", ".join(check.name for check in failed)
        raise CheckFailure(f"the graph fails quality check(s) {names}; data/ left unchanged")
    if check:
        stale = stages.stale_files(files)
        if stale:
            raise CheckFailure(
                f"committed data differs from a fresh build: {', '.join(map(str, stale))} "
                "(run 'nato-iraq-kg build')"
            )
        click.echo("data/ is up to date with a fresh build")
        return
    if output is not None:
        click.echo(written_line(stages.write(files, folder=output)))
        return
    written = [path.relative_to(paths.project_root()) for path in stages.write(files)]
    click.echo(written_line(written))


def written_line(written: list[Path]) -> str:
    """Return the one line that says what ``build`` wrote: the folder once, then the file names."""
    if not written:
        return "Wrote 0 files"
    folder = Path(os.path.commonpath([path.parent for path in written]))
    names = ", ".join(path.relative_to(folder).as_posix() for path in written)
    return f"Wrote {len(written)} files to {folder}/: {names}"


@cli.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(export_dumps())),
    required=True,
    help="ttl, nt, xml, jsonld: the facts; trig, nq: facts and evidence by named graph.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here (else stdout).")
@max_input_size_option
def export(fmt: str, output: Path | None, file: Path | None, max_input_size: str | None) -> None:
    """Export the graph, or the RDF FILE, in one RDF syntax, byte-stable.

    Without FILE: byte for byte the build's file in data/. With FILE (any of our syntaxes,
    gzipped or not): its statements sorted and written as the build writes its dumps; the facts
    syntaxes get the union of its graphs. A FILE is never loaded into rdflib, so a million
    statements take seconds, not minutes.
    """
    if file is not None and output is not None:  # written as made, never held whole
        from .formats.file_export import export_file_to

        try:
            export_file_to(file, fmt, output, _input_limit(max_input_size))
        except OSError as exc:  # bad input is an InputError or a CheckFailure, never this
            raise InputError(f"{output}: cannot write ({exc.strerror}); nothing written") from exc
        click.echo(f"Wrote {output}", err=True)
        return
    if file is not None:
        from .formats.file_export import export_file

        content: str | bytes = export_file(file, fmt, _input_limit(max_input_size))
    else:
        from .build import pipeline as stages

        content = stages.render(stages.assemble())[export_dumps()[fmt].file]
    if output is None:
        click.echo(content, nl=False)  # bytes go to the binary stream as they are
        return
    from .formats.turtle import write_atomically

    try:
        write_atomically(output, content)
    except OSError as exc:
        raise InputError(f"{output}: cannot write ({exc.strerror}); nothing written") from exc
    click.echo(f"Wrote {output}", err=True)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "json"]),
    default="text",
    show_default=True,
    help="text: one line per result; turtle/json: every result (SHACL and quality checks) as a "
    "SHACL validation report.",
)
@click.option(
    "--shapes",
    type=click.Path(path_type=Path),
    help="Use this SHACL shapes file instead of ontology/shapes.ttl.",
)
@click.option(
    "--max-results",
    default=50,
    show_default=True,
    help="In text output, show at most this many results, then a count of the rest.",
)
@click.option(
    "--timeout",
    default=600.0,
    show_default=True,
    help="Seconds the SHACL validation may take before it is stopped (exit 2).",
)
@max_input_size_option
def validate(
    files: tuple[Path, ...],
    fmt: str,
    shapes: Path | None,
    max_results: int,
    timeout: float,
    max_input_size: str | None,
) -> None:
    """Validate RDF files (default: the built graph) with the shapes and the quality checks.

    A facts dump (.ttl, .nt, .jsonld, .rdf: no named graphs, no annotations) is validated as
    facts: the quality checks that read the evidence are skipped, and a note names them.
    Exit 0 when the data conforms, 1 when it does not, 2 when a file cannot be used.
    """
    from . import paths
    from .check.process_exit import exit_process
    from .check.shapes import load_ontology_graph
    from .check.validation import (
        full_report,
        result_lines,
        skipped_note,
        summary_line,
        validate_files,
    )
    from .paths import DATASET_FILE

    targets = list(files) or [paths.data_dir() / DATASET_FILE]
    limit = _input_limit(max_input_size)
    ontology_file = paths.ontology_file()
    ontology = load_ontology_graph(ontology_file)
    validation, loaded = validate_files(
        targets, shapes, timeout, limit, ontology, ontology_file=ontology_file
    )
    note = skipped_note(validation, targets)
    if note:
        click.echo(note, err=True)
    if fmt == "turtle":
        click.echo(full_report(validation).serialize(format="turtle"))
    elif fmt == "json":
        click.echo(full_report(validation).serialize(format="json-ld", indent=2))
    else:
        lines = result_lines(validation, lambda: loaded.graph)
        for line in lines[:max_results]:
            click.echo(line)
        if len(lines) > max_results:
            click.echo(
                f"… and {len(lines) - max_results} more result(s); --max-results "
                f"{len(lines)} shows them, --format turtle or json prints every result "
                "(SHACL and quality checks) as a SHACL report"
            )
    click.echo(summary_line(validation), err=fmt != "text")
    # The program ends here without freeing the loaded store (0.8 s at a million quads).
    exit_process(0 if validation.conforms else 1)


@cli.command()
@click.argument("name", required=False)
@click.option("--sparql", help="A SPARQL query given on the command line.")
@click.option("--list", "list_questions", is_flag=True, help="List the competency questions.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "nt"]),
    help="Output format (default: a table on a terminal, csv otherwise; Turtle for graphs).",
)
@click.option("--endpoint", metavar="URL", help="Ask this SPARQL 1.1 endpoint instead.")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for an endpoint.")
@click.option(
    "--width",
    type=click.IntRange(min=2),
    help="Cut table cells wider than this (default: 100, and the table fits the terminal).",
)
@max_input_size_option
def query(
    name: str | None,
    sparql: str | None,
    list_questions: bool,
    fmt: str | None,
    endpoint: str | None,
    timeout: float,
    width: int | None,
    max_input_size: str | None,
) -> None:
    """Run a query: a competency question (number or slug), a .rq file, or --sparql.

    By default the query runs on the built graph in an embedded store, with no server.
    """
    from .sparql.local import competency_questions, question_of, resolve_query

    if list_questions:
        for path in competency_questions():
            click.echo(f"{path.stem}  {question_of(path)}")
        return
    if name is None and sparql is None:
        raise click.UsageError(
            "which query? give a competency question's number or slug, a .rq file, or "
            "--sparql TEXT ('nato-iraq-kg query --list' shows the questions)"
        )
    if name is not None and sparql is not None:
        raise click.UsageError(f"give a query name or file ({name!r}) or --sparql, not both")
    if name is not None:
        from .guard.rdf_input import check_size

        path = resolve_query(name)
        try:
            check_size(path.stat().st_size, str(path), _input_limit(max_input_size))
            sparql = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    chosen = fmt or ("table" if sys.stdout.isatty() else "csv")
    text = _answer(sparql or "", chosen, endpoint, timeout, width or 100, _table_room(width))
    click.echo(text if text.endswith("\n") else text + "\n", nl=False)


def _table_room(width: int | None) -> int | None:
    """Return the columns a table may take: the terminal's, unless ``--width`` was given.

    An explicit ``--width`` caps each cell and nothing else (the README's examples rely on it);
    without it, a table on a terminal (or with ``$COLUMNS`` set) is narrowed to fit.
    """
    import shutil

    if width is not None or not (sys.stdout.isatty() or os.environ.get("COLUMNS")):
        return None
    return shutil.get_terminal_size().columns


def _answer(
    sparql: str,
    fmt: str,
    endpoint: str | None,
    timeout: float,
    width: int,
    room: int | None = None,
) -> str:
    """Return the answer to ``sparql`` in ``fmt``, from the embedded store or an endpoint."""
    from .sparql.local import SelectResult, compact, load_graph, run, run_serialized, table

    if endpoint is None:
        store = load_graph()
        if fmt != "table":
            return run_serialized(store, sparql, fmt).decode("utf-8")
        outcome = run(store, sparql)
        if outcome.kind == "select":
            rows = tuple(tuple(compact(t) for t in row) for row in outcome.rows)
            return table(SelectResult(outcome.variables, rows), width, room) + "\n"
        if outcome.kind == "ask":
            return ("yes" if outcome.boolean else "no") + "\n"
        return run_serialized(store, sparql, "turtle").decode("utf-8")
    from .remote.default_graph import union_default_graph_warning
    from .remote.query import query_endpoint
    from .sparql.local import table_from_json

    remote_format = {"table": "json", "nt": "turtle"}.get(fmt, fmt)
    answer = query_endpoint(endpoint, sparql, return_format=remote_format, timeout=timeout)
    warning = union_default_graph_warning(sparql, answer, remote_format)
    if warning:
        click.echo(warning, err=True)
    if fmt == "table" and "json" in answer.content_type:
        return table_from_json(answer.body, width, room) + "\n"
    if fmt == "nt" and "turtle" in answer.content_type:
        from rdflib import Graph

        return Graph().parse(data=answer.body, format="turtle").serialize(format="nt")
    return answer.body.decode("utf-8")


@cli.command()
@click.argument("name")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json"]),
    default="table",
    show_default=True,
    help="A table for people, or a W3C results format (IRIs in full) like 'query'.",
)
@click.option("--width", default=80, show_default=True, help="Cut table cells wider than this.")
def evidence(name: str, fmt: str, width: int) -> None:
    """Show every fact about an entity, with its quotes.

    NAME is the entity's name as the page writes it ("NTM-I"), its compact name as tables print
    it (actor:nato) or its full IRI. Exit 1 when nothing matches, naming the entities it may mean.
    """
    from .errors import CheckFailure
    from .sparql.local import evidence_for, evidence_serialized, load_graph, table
    from .sparql.names import no_entity_message

    store = load_graph()
    result = evidence_for(store, name)
    if not result.rows:
        raise CheckFailure(no_entity_message(store, name))
    if fmt == "table":
        click.echo(table(result, width))
        return
    text = evidence_serialized(store, name, fmt).decode("utf-8")
    click.echo(text if text.endswith("\n") else text + "\n", nl=False)


@cli.command()
@click.option(
    "--with-data", is_flag=True, help="Reason over the built facts too, not only the ontology."
)
def reason(with_data: bool) -> None:
    """Check the ontology with the HermiT OWL reasoner: consistent, no unsatisfiable class."""
    from . import paths
    from .check.reasoning import check_ontology
    from .paths import FACTS_FILE

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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds a query may run.")
@click.option(
    "--max-rows", default=10000, show_default=True, help="Rows (or triples) a query may return."
)
@click.option(
    "--max-concurrent",
    default=4,
    show_default=True,
    type=click.IntRange(min=1),
    help="Queries run at once, each in its own worker process; more get 429.",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="Allow browser pages from this origin (repeatable); none by default.",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Read everything from this SPARQL store's query endpoint instead of the built files.",
)
@click.option(
    "--user",
    metavar="NAME",
    help="Log in to --endpoint as NAME; the password comes from $NATO_IRAQ_KG_PASSWORD.",
)
def serve(
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    max_concurrent: int,
    cors_origins: tuple[str, ...],
    endpoint: str | None,
    user: str | None,
) -> None:
    """Serve the graph: a read-only SPARQL endpoint, entity IRIs, pages and downloads.

    From the built files, or with --endpoint from a SPARQL store (read-only: no update is sent).
    """
    try:
        from .serve.app import serve as run_server
        from .serve.remote_app import serve_remote
    except ImportError as exc:
        from .paths import install_command

        raise InputError(
            f"the server needs {(exc.name or 'its extras').split('.')[0]}, which is not installed: "
            f"{install_command('serve')}"
        ) from exc
    limits = {
        "host": host,
        "port": port,
        "query_timeout_s": timeout,
        "max_rows": max_rows,
        "max_concurrent": max_concurrent,
        "cors_origins": cors_origins,
    }
    if endpoint is not None:
        from .remote.client import check_endpoint_url

        check_endpoint_url(endpoint)
        serve_remote(endpoint, user=user, password=_password_for(user), **limits)
    elif user is not None:
        raise InputError("--user needs --endpoint: it logs in to a remote store")
    else:
        run_server(**limits)


PASSWORD_VARIABLE = "NATO_IRAQ_KG_PASSWORD"


def _password_for(user: str | None) -> str | None:
    """Return ``user``'s password from the environment, or ask for it on a terminal.

    Never an option: a password on the command line is visible to every user of the machine.
    """

    password = os.environ.get(PASSWORD_VARIABLE)
    if user and password is None:
        if not sys.stdin.isatty():
            raise InputError(f"--user {user}: set the password in ${PASSWORD_VARIABLE}")
        password = click.prompt(f"Password for {user}", hide_input=True, err=True)
    return password


@cli.command()
@click.option("--endpoint", metavar="URL", required=True, help="The store's SPARQL query endpoint.")
@click.option(
    "--update-endpoint", metavar="URL", help="Its SPARQL update endpoint (default: --endpoint)."
)
@click.option(
    "--graph",
    metavar="IRI",
    help="Merge everything into this one graph (default: each named graph keeps its IRI).",
)
@click.option(
    "--user", metavar="NAME", help=f"Log in as NAME; the password comes from ${PASSWORD_VARIABLE}."
)
@click.option(
    "--file",
    "source",
    type=click.Path(path_type=Path),
    help="Publish this TriG/N-Quads/N-Triples/Turtle file (default: data/nato-iraq.trig).",
)
@click.option("--chunk-size", default=1000, show_default=True, help="Triples per insert request.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for an answer.")
@click.option(
    "--connect-timeout", default=10.0, show_default=True, help="Seconds to wait for a connection."
)
@click.option("--retries", default=3, show_default=True, help="Retries of a failed request.")
@max_input_size_option
def publish(
    endpoint: str,
    update_endpoint: str | None,
    graph: str | None,
    user: str | None,
    source: Path | None,
    chunk_size: int,
    timeout: float,
    connect_timeout: float,
    retries: int,
    max_input_size: str | None,
) -> None:
    """Replace the graph in a remote store, atomically and verified (SPARQL 1.1 Update).

    Stages the triples, checks their count and hash read back, swaps them in with one MOVE update,
    and checks again; on any failure the store's graphs stay as they were. Exit 2 on failure.
    """

    from . import paths
    from .paths import DATASET_FILE
    from .remote.client import Connection, SparqlClient
    from .remote.publish import publish as run_publish
    from .remote.publish_plan import check_graph_iri, read_publication

    if chunk_size < 1 or retries < 0 or timeout <= 0 or connect_timeout <= 0:
        raise InputError("--chunk-size and the timeouts must be positive, --retries >= 0")
    if graph is not None:
        check_graph_iri(graph)
    publication = read_publication(
        source or paths.data_dir() / DATASET_FILE, graph, _input_limit(max_input_size)
    )
    password = _password_for(user)
    client = SparqlClient(
        Connection(
            query_url=endpoint,
            update_url=update_endpoint or endpoint,
            user=user,
            password=password,
            connect_timeout=connect_timeout,
            read_timeout=timeout,
            retries=retries,
        )
    )
    if sys.stderr.isatty():
        with click.progressbar(length=publication.count, label="Staging", file=sys.stderr) as bar:
            report = run_publish(client, publication, chunk_size=chunk_size, progress=bar.update)
    else:
        report = run_publish(client, publication, chunk_size=chunk_size)
    click.echo(
        f"Published {report.count} triples in {report.graphs} graph(s) to "
        f"{update_endpoint or endpoint} (replacing {report.previous_count}; "
        f"{report.dropped_graphs} stale graph(s) dropped); sha256 {report.digest}"
    )


@cli.group()
def curate() -> None:
    """Helpers for people who edit the curated files."""


@curate.command("fill-offsets")
def fill_offsets_command() -> None:
    """Add the missing 'at:' offset of every quote that occurs once in its source."""
    from . import paths
    from .curation.offsets import fill_offsets
    from .source.revision import load_revisions

    paths.require_checkout("'curate fill-offsets' (it edits the curated files)")
    for revision in load_revisions(paths.source_dir()):
        report = fill_offsets(revision.curation_path, revision.text)
        click.echo(f"{revision.curation_path}: filled {report.filled} offset(s)")
        for line in report.ambiguous + report.missing:
            click.echo(f"  {line}", err=True)


@cli.command()
@click.argument("text")
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(min=1), help="Hits shown."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--width", default=80, show_default=True, help="Cut table cells wider than this.")
def search(text: str, limit: int, fmt: str, width: int) -> None:
    """Find entities by words of their names or of the quotes about them, best first.

    Case, accents and punctuation do not matter. Exit 1 when nothing matches.
    """
    import json

    from .errors import CheckFailure
    from .sparql.local import load_graph
    from .sparql.search import index_of_store, results_json, results_table, tokens

    if not tokens(text):
        raise InputError("search: give at least one word (letters or digits)")
    results = index_of_store(load_graph()).search(text, limit=limit)
    if results.truncated:
        click.echo(
            f"note: the search text was cut to its first {len(results.query)} characters", err=True
        )
    if not results.hits:
        raise CheckFailure(f"nothing matches {results.query!r}")
    if fmt == "json":
        click.echo(json.dumps(results_json(results), ensure_ascii=False, indent=2))
    else:
        click.echo(results_table(results, width))


@cli.command()
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="The folder to write."
)
@click.option(
    "--site-url",
    metavar="URL",
    required=True,
    help="Where the folder will be published (for sitemap.xml and the w3id.org redirects).",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="A SPARQL endpoint for the query page (else it shows each question's built answer).",
)
@click.option("--contact", help="Who administers the w3id.org space (for w3id/.htaccess).")
def site(output: Path, site_url: str, endpoint: str | None, contact: str | None) -> None:
    """Write the static site: every IRI's HTML and RDF files, dumps, pages, search, .htaccess."""
    from .site.writer import DEFAULT_CONTACT, write_site

    report = write_site(output, site_url, endpoint=endpoint, contact=contact or DEFAULT_CONTACT)
    for page, links in sorted(report.unresolved.items()):
        click.echo(f"warning: {page} links to {', '.join(links)}, which the site lacks", err=True)
    click.echo(
        f"Wrote {report.files} files to {report.folder}: {report.iris} IRIs in "
        f"{len(RDF_EXTENSIONS) + 1} formats each, {report.pages} pages"
    )


RDF_EXTENSIONS = ("ttl", "jsonld", "nt", "rdf")


@cli.command()
@click.argument("new")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--write", is_flag=True, help="Write the curated file of NEW (a registered revision)."
)
def reanchor(new: str, fmt: str, write: bool) -> None:
    """Find every quote of the current revision in NEW (a text file or a registered revision).

    Each quote is kept, moved, changed, lost or ambiguous. Exit 0 when every quote is kept or
    moved, 1 when any needs review, 2 for unusable input.
    """
    from . import paths
    from .build.reanchoring import reanchor_revision, render_json, render_text
    from .errors import CheckFailure

    if write:
        paths.require_checkout("'reanchor --write' (it writes a curated file)")
    report = reanchor_revision(new, write=write)  # NEW: a file, or a revision's slug
    click.echo(render_json(report) if fmt == "json" else render_text(report))
    if report.needing_review:
        names = ", ".join(a.quote.id.rsplit("/", 1)[-1] for a in report.needing_review)
        raise CheckFailure(f"{len(report.needing_review)} quote(s) need review: {names}")


@cli.group()
def source() -> None:
    """Register revisions of the source page."""


@source.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--modified",
    required=True,
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
    help="When the page says it was last updated (ISO 8601, no time zone, as the page gives it).",
)
@click.option("--url", help="Its web address, if not the latest revision's.")
@click.option("--retrieved", type=click.DateTime(["%Y-%m-%d"]), help="When it was downloaded.")
def source_add(file: Path, modified: Any, url: str | None, retrieved: Any) -> None:
    """Register FILE as a new revision: copy it, hash it, describe it in data/source/."""
    from . import paths
    from .source.register import register_revision

    paths.require_checkout("'source add' (it writes data/source/)")
    made = register_revision(
        file,
        paths.source_dir(),
        modified,
        url=url,
        retrieved=retrieved.date() if retrieved else None,
    )
    click.echo(
        f"Registered {made.revision.slug} ({made.revision.text_path}), a revision of "
        f"{made.previous.slug}; next: nato-iraq-kg reanchor {made.revision.slug} --write"
    )


@cli.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "trig"]),
    default="text",
    show_default=True,
)
def diff(old: str, new: str, fmt: str) -> None:
    """The changeset between two registered revisions: facts added, lapsed, unchanged; quotes
    moved or reworded (as release notes, JSON, or RDF in TriG)."""
    from .build.changeset import changeset, render_json, render_text, render_trig
    from .build.pipeline import assemble

    result = assemble()
    found = changeset(result, old, new)
    if fmt == "trig":
        click.echo(render_trig(found, result), nl=False)
    else:
        click.echo(render_json(found) if fmt == "json" else render_text(found))


def main() -> None:
    """Entry point of the console script."""
    cli()
