"""`coach syllabus`: check an edital's syllabus, or import it into an exam."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import anyio
import click
import msgspec
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from concurso_coach.catalogue.schemas import SyllabusResult, SyllabusTopicOut, syllabus_result
from concurso_coach.catalogue.syllabus_import import SyllabusImportError, check_importable
from concurso_coach.catalogue.syllabus_parser import SyllabusParseError, parse_syllabus
from concurso_coach.catalogue.syllabus_service import SyllabusService
from concurso_coach.platform.database import build_database_config, install_sqlite_pragmas
from concurso_coach.platform.errors import DomainError
from concurso_coach.settings import ConfigurationError, Settings, load_settings

_SYLLABUS_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("syllabus")
def syllabus_group() -> None:
    """Parse an edital's conteúdo programático, or import it into an exam."""


@syllabus_group.command("parse")
@click.argument("file", type=_SYLLABUS_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print the dry-run JSON (counts and tree).")
def parse_command(file: Path, as_json: bool) -> None:
    """Parse FILE without touching any database."""
    text = _read_text(file)
    try:
        syllabus = parse_syllabus(text)
        check_importable(syllabus)
    except (SyllabusParseError, SyllabusImportError) as exc:
        raise click.ClickException(f"not an importable syllabus: {exc.reason}") from None

    result = syllabus_result(syllabus)
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(result), indent=2).decode())
        return
    _print_result(result, title=f"{file.name} (not stored)")


@syllabus_group.command("import")
@click.argument("file", type=_SYLLABUS_FILE)
@click.option("--exam", "exam_id", type=click.UUID, required=True, help="Id of the exam.")
@click.option("--dry-run", is_flag=True, help="Show what would be stored; store nothing.")
@click.pass_context
def import_command(ctx: click.Context, file: Path, exam_id: UUID, dry_run: bool) -> None:
    """Import FILE as the syllabus of an exam (a re-import prints the diff)."""
    text = _read_text(file)
    settings = _settings(ctx)
    try:
        result = anyio.run(_import, settings, exam_id, text, dry_run)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None

    verb = "dry run, nothing stored" if dry_run else "stored"
    _print_result(result, title=f"{file.name} → exam {exam_id} ({verb})")


async def _import(settings: Settings, exam_id: UUID, text: str, dry_run: bool) -> SyllabusResult:
    # The same config and service as the API, so the CLI stores exactly what PUT does.
    config = build_database_config(settings)
    install_sqlite_pragmas(config)
    try:
        async with config.get_session() as session:
            return await SyllabusService(session).import_syllabus(exam_id, text, dry_run=dry_run)
    finally:
        await config.get_engine().dispose()


def _settings(ctx: click.Context) -> Settings:
    # Under `coach`, Litestar has built the app already; reuse its settings.
    env = ctx.find_root().obj
    app = getattr(env, "app", None)
    if app is not None:
        settings: Settings = app.state.settings
        return settings
    try:
        return load_settings()
    except ConfigurationError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None


def _read_text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(
            f"{file} is not UTF-8 text; it looks like binary data, not a syllabus."
        ) from None


def _print_result(result: SyllabusResult, title: str) -> None:
    console = Console()
    console.print(
        f"[bold]{title}[/bold]: {result.blocks} blocks, {result.subjects} subjects, "
        f"{result.topics} topics"
    )

    tree = Tree("syllabus")
    for block in result.tree:
        branch = tree.add(f"[bold]{block.name or '(no block header)'}[/bold]")
        for subject in block.subjects:
            leaf = branch.add(f"{subject.name} [dim]({subject.topic_count} topics)[/dim]")
            for topic in subject.topics:
                _add_topic(leaf, topic)
    console.print(tree)

    if result.diff is not None:
        console.print(_diff_table(result))


def _add_topic(parent: Tree, topic: SyllabusTopicOut) -> None:
    node = parent.add(f"[cyan]{topic.number}[/cyan] {topic.title}")
    for child in topic.children:
        _add_topic(node, child)


def _diff_table(result: SyllabusResult) -> Table:
    assert result.diff is not None
    diff = result.diff
    table = Table(title=f"Changes ({diff.unchanged} topics unchanged)")
    table.add_column("change")
    table.add_column("subject")
    table.add_column("topic")

    for name in diff.subjects_added:
        table.add_row("[green]subject added[/green]", name, "")
    for name in diff.subjects_removed:
        table.add_row("[red]subject removed[/red]", name, "")
    for added in diff.added:
        table.add_row("[green]added[/green]", added.subject, f"{added.number} {added.title}")
    for removed in diff.removed:
        table.add_row("[red]removed[/red]", removed.subject, f"{removed.number} {removed.title}")
    for renamed in diff.renamed:
        table.add_row(
            "[yellow]renamed[/yellow]",
            renamed.subject,
            f"{renamed.number} {renamed.old_title} → {renamed.new_title}",
        )
    for moved in diff.moved:
        table.add_row(
            "[blue]moved[/blue]",
            moved.subject,
            f"{moved.old_number} → {moved.new_number} {moved.title}",
        )
    return table
