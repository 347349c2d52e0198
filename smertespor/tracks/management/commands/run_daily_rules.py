"""The daily job: apply the practice track's 3-month rule (idempotent; run it from cron)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smertespor.tracks.rules import run_daily_rules


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class Command(BaseCommand):
    help = (
        "Apply the 3-month rule to every practice-track course it can act on: record successes "
        "and propose handovers to the pain clinic. Safe to run twice, or after days of downtime."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            help="The Danish date to judge on, YYYY-MM-DD (default: today in Europe/Copenhagen).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today must be a date as YYYY-MM-DD, not {options['today']!r}"
                ) from None
        summary = run_daily_rules(today=today)
        self.stdout.write(
            f"{summary.today.isoformat()}: "
            f"{_plural(summary.evaluated, 'course', 'courses')} evaluated; "
            f"{_plural(summary.handovers_proposed, 'handover', 'handovers')} proposed, "
            f"{_plural(summary.successes_recorded, 'success', 'successes')} recorded, "
            f"{summary.unchanged} unchanged; "
            f"{_plural(summary.deadlines_updated, 'deadline', 'deadlines')} updated; "
            f"{_plural(len(summary.errors), 'error', 'errors')}."
        )
        for error in summary.errors:
            self.stderr.write(error)
