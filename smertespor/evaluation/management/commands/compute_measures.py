import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smertespor.evaluation.measures_services import compute_measures, previous_month


def _month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 - a calendar month
    except ValueError:
        raise CommandError(f"--month must be YYYY-MM, not {text!r}.") from None


class Command(BaseCommand):
    help = "Compute the measures of a month (default: the last whole month); idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM (default: last month)")

    def handle(self, *args: Any, **options: Any) -> None:
        month = _month(options["month"]) if options["month"] else previous_month()
        report = compute_measures(month)
        self.stdout.write(
            f"Measures for {report.month:%Y-%m}: {report.figures} figures "
            f"({report.measures} measures)."
        )
