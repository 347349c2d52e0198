"""The daily job: apply the practice track's 3-month rule (idempotent; run it from cron)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from smertespor.tracks.rules import run_daily_rules


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class Command(BaseCommand):
    help = (
        "Apply the 3-month rule to every practice-track course whose deadline has passed: "
        "record successes, keep courses that are on plan, and propose a handover to the GP "
        "for the others (the GP decides; nothing is handed to the clinic here). Safe to run "
        "twice, or after days of downtime."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            help="The Danish date to judge on, YYYY-MM-DD (default: today in "
            "Europe/Copenhagen). A past day only, to simulate; a future day is refused.",
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
            real_today = timezone.localdate()
            if today > real_today:
                raise CommandError(
                    f"--today {today.isoformat()} is in the future (today is "
                    f"{real_today.isoformat()} in Denmark): the rule would judge deadlines "
                    "that have not passed. Give today or a past day."
                )
        summary = run_daily_rules(today=today)
        self.stdout.write(
            f"{summary.today.isoformat()}: "
            f"{_plural(summary.evaluated, 'course', 'courses')} evaluated; "
            f"{_plural(summary.proposals_made, 'handover', 'handovers')} proposed to the GP, "
            f"{_plural(summary.successes_recorded, 'success', 'successes')} recorded, "
            f"{_plural(summary.kept_on_plan, 'review', 'reviews')} on plan, "
            f"{summary.unchanged} unchanged; "
            f"{_plural(summary.deadlines_updated, 'deadline', 'deadlines')} updated; "
            f"{_plural(len(summary.errors), 'error', 'errors')}."
        )
        for error in summary.errors:
            self.stderr.write(error)
