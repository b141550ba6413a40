"""`coach questions import FILE --format native|oab|enem`, with a progress bar.

Exit status: 0 when every item was imported or already present; 1 when any item
was reported as a problem (the good items are imported all the same) or the
import failed; 2 for a usage error, a missing file or bad configuration.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from concurso_coach.questions.importers import ImportFormat
from concurso_coach.questions.schemas import ImportReport
from concurso_coach.questions.services import import_stream_standalone
from concurso_coach.settings import ConfigurationError, load_settings

SHOWN_PROBLEMS = 20
EXIT_PROBLEMS = 1


@click.group(name="questions")
def questions_group() -> None:
    """Manage the question bank."""


@questions_group.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "import_format",
    type=click.Choice([f.value for f in ImportFormat]),
    required=True,
    help="native: our JSON Lines (docs/questions-jsonl.schema.json); oab; enem.",
)
def import_questions(file: Path, import_format: str) -> None:
    """Import questions from FILE; items already in the bank are skipped."""
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None

    console = Console(stderr=True)
    columns = (
        TextColumn("[bold]importing[/] {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(file.name, total=file.stat().st_size)

        async def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        with file.open("rb") as stream:
            report = anyio.run(
                import_stream_standalone,
                settings,
                stream,
                ImportFormat(import_format),
                file.stat().st_size,
                on_progress,
            )

    _print_report(Console(), report)
    if report.problem_count:
        noun = "item was" if report.problem_count == 1 else "items were"
        good = report.inserted + report.already_present
        rest = "the other items were imported" if good else "nothing was imported"
        console.print(
            f"[bold red]error:[/] {report.problem_count} {noun} not imported (see the "
            f"problems above); {rest}."
        )
        raise SystemExit(EXIT_PROBLEMS)


def _print_report(console: Console, report: ImportReport) -> None:
    console.print(
        f"read {report.read}, inserted {report.inserted} "
        f"({report.voided_inserted} voided), already present {report.already_present}, "
        f"problems {report.problem_count}"
    )
    if not report.problems:
        return

    table = Table("where", "problem", title="Skipped items")
    for problem in report.problems[:SHOWN_PROBLEMS]:
        table.add_row(problem.location, problem.reason)
    console.print(table)
    if report.problem_count > SHOWN_PROBLEMS:
        console.print(f"… and {report.problem_count - SHOWN_PROBLEMS} more")
