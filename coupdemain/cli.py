"""The `coupdemain` command line: one Typer app, one sub-app per area."""

from __future__ import annotations

import typer

from coupdemain.cli_nlu import nlu_app

app = typer.Typer(no_args_is_help=True, help="Coup de main: neighbourhood mutual aid.")
app.add_typer(nlu_app, name="nlu", help="Intent models: train, test, parse, export to Rasa.")


def main() -> None:
    app()
