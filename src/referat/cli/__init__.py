"""Command line: a thin layer over the Python API. Errors become one clear line and exit code 1.

The typer app and its commands in the order `referat --help` lists them; each command lives in the module of
its job (parsing, ingesting, reading, linked, serving, feeds, kle) and shares referat.cli.common. Start-up
stays fast: rich, the parser, the store and the search index load only in the commands that use them
(bench/README.md, "CLI start-up").
"""

from __future__ import annotations

from typing import Annotated

import typer
from referat.cli import feeds, ingesting, kle, linked, parsing, reading, serving

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="referat: read Danish municipal committee minutes into a structured record.")


def _version(value: bool) -> None:
    if value:
        from referat import __version__

        typer.echo(f"referat {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                              help="Print the version and exit.")] = False) -> None:
    """referat: read Danish municipal committee minutes into a structured record."""


for _command in (parsing.parse, ingesting.ingest, ingesting.harvest, reading.search, reading.show, reading.export,
                 reading.stats, linked.case, linked.person, linked.body, linked.link, serving.serve, reading.series,
                 feeds.calendar):
    app.command()(_command)
app.add_typer(feeds.watch_app, name="watch")
app.add_typer(kle.kle_app, name="kle")
