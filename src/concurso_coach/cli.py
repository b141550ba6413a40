"""The `coach` command: Litestar's CLI for this app plus the coach's own groups."""

from __future__ import annotations

import os
import sys

import click
from litestar.plugins import CLIPluginProtocol

from concurso_coach.settings import ConfigurationError, load_settings

APP_FACTORY = "concurso_coach.app:create_app"


class CoachCLIPlugin(CLIPluginProtocol):
    """Adds the coach's command groups to the Litestar CLI."""

    def on_cli_init(self, cli: click.Group) -> None:
        for command in _feature_commands():
            cli.add_command(command)


def _feature_commands() -> list[click.Command]:
    # Imported here so that `import concurso_coach.app` stays light.
    from concurso_coach.accounts.cli import users_group
    from concurso_coach.catalogue.cli import syllabus_group
    from concurso_coach.jobs.worker import worker_group
    from concurso_coach.parity.cli import parity_command
    from concurso_coach.questions.cli import questions_group

    commands: list[click.Command] = [
        users_group,
        worker_group,
        parity_command,
        syllabus_group,
        questions_group,
    ]
    return commands


def main() -> None:
    """Entry point of the `coach` console script."""
    try:
        load_settings()
    except ConfigurationError as exc:
        click.echo(f"coach: configuration error: {exc}", err=True)
        sys.exit(2)

    # The app decides which proxies to believe (TRUSTED_PROXIES); uvicorn would
    # otherwise rewrite the peer from X-Forwarded-For for any client on 127.0.0.1.
    os.environ.setdefault("FORWARDED_ALLOW_IPS", "")
    os.environ.setdefault("LITESTAR_APP", APP_FACTORY)
    os.environ.setdefault("LITESTAR_APP_NAME", "coach")

    from litestar.cli.main import litestar_group

    litestar_group(prog_name="coach")
