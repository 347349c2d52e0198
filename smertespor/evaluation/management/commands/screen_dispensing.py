"""Import a dispensing extract and screen it now (no background job).

manage.py screen_dispensing FILE [--grace-days 30] [--carry-over]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from domain.screening import ScreeningSettings
from smertespor.evaluation.screening_import import import_extract
from smertespor.evaluation.screening_services import run_screening


class Command(BaseCommand):
    help = "Validate and import a dispensing extract (CSV or Parquet), then screen it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--grace-days", type=int, default=30)
        parser.add_argument("--carry-over", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        report = import_extract(path=path, original_name=path.name, by=None)
        if report.extract is None:
            for problem in report.problems:
                self.stderr.write(
                    f"{problem.row or '-'}\t{problem.column or '-'}\t{problem.problem}"
                )
            raise CommandError(f"Refused: {report.bad_rows} bad rows, nothing was stored.")
        settings = ScreeningSettings(
            grace_days=options["grace_days"], carry_over=options["carry_over"]
        )

        def progress(done: int, total: int, message: str) -> None:
            self.stdout.write(f"{done}/{total} {message}")

        run = run_screening(report.extract, settings, progress)
        self.stdout.write(
            f"Screened {run.rows_read:,} rows: {run.opioid_users:,} opioid users, "
            f"{run.findings.count():,} flagged."
        )
