"""`referat kle load`: the user's own KLE titles into the archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from referat.cli.common import DbOpt, console, fail, open_archive
from referat.errors import ReferatError


kle_app = typer.Typer(help="KLE subject codes: load your own KLE titles (KL licenses them; none are shipped).",
                      no_args_is_help=True)


@kle_app.command("load")
def kle_load(
    file: Annotated[Path, typer.Argument(help="KL's KLE XML (emneplan or handlingsfacetter) or a code;title CSV.")],
    db: DbOpt = None,
) -> None:
    """Load KLE titles, shown beside case numbers' subject codes from then on."""
    try:
        n = open_archive(db, write=True).load_kle(file)
    except ReferatError as exc:
        fail(str(exc))
    from referat.labels import antal

    console().print(f"indlæste {antal(n, 'KLE-kode')} fra {file}", highlight=False)
