"""`coupdemain nlu ...`: train, test, parse, export-rasa."""

from __future__ import annotations

import typer

nlu_app = typer.Typer(no_args_is_help=True)
