"""`coach users`: account administration from the shell (e.g. the first admin)."""

from __future__ import annotations

import sys
from typing import cast

import anyio
import click

from concurso_coach.accounts.schemas import Role
from concurso_coach.accounts.services import create_account_standalone
from concurso_coach.platform.errors import DomainError
from concurso_coach.settings import ConfigurationError, load_settings


@click.group(name="users")
def users_group() -> None:
    """Manage accounts."""


@users_group.command(name="create")
@click.option("--email", required=True, help="Sign-in email (stored lower-cased).")
@click.option(
    "--password",
    default=None,
    help="Password; omit to be prompted (hidden). Visible in shell history if given here.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    default=False,
    help="Read the password from the first line of standard input.",
)
@click.option("--display-name", required=True, help="Name shown in the app.")
@click.option(
    "--role",
    type=click.Choice(["candidate", "editor", "admin"]),
    default="candidate",
    show_default=True,
)
def create_user(
    email: str,
    password: str | None,
    password_stdin: bool,
    display_name: str,
    role: str,
) -> None:
    """Create an account, for example the first admin."""
    if password_stdin:
        if password is not None:
            raise click.UsageError("use either --password or --password-stdin, not both")
        password = sys.stdin.readline().rstrip("\r\n")
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)

    try:
        settings = load_settings()
    except ConfigurationError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None

    try:
        account = anyio.run(
            create_account_standalone,
            settings,
            email,
            password,
            display_name,
            cast(Role, role),
        )
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None

    click.echo(f"created {account.role} {account.email} ({account.id})")
