"""`coupdemain demo ...`: who is in the demo, and starting it over."""

from __future__ import annotations

from typing import Annotated

import typer

from coupdemain.settings import Settings

demo_app = typer.Typer(no_args_is_help=True, help="The deterministic demo neighbourhood.")


@demo_app.command("people")
def demo_people(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Who is in the demo: names, roles, phones, Telegram ids, addresses, staff logins."""
    from coupdemain.demo import demo_identities, render_people_table

    identities = demo_identities()
    typer.echo(identities.model_dump_json(indent=2) if as_json else render_people_table(identities))


@demo_app.command("reset")
def demo_reset(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")] = False,
) -> None:
    """Delete var/demo.db and seed the demo again (everything done in the demo is lost)."""
    from coupdemain.bootstrap import demo_path, prepare_demo

    settings = Settings()
    path = demo_path(settings)
    if not yes and path.exists():
        typer.confirm(
            f"Effacer {path} et tout ce qui a été fait dans la démo ? "
            f"(delete {path} and everything done in the demo?)",
            abort=True,
        )
    prepare_demo(settings, host="127.0.0.1", port=8000, reset=True)
