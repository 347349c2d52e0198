from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from smertespor.teaching.reminder_services import send_teaching_reminders


class Command(BaseCommand):
    help = (
        "Remind everyone with a place at a teaching session starting within the next HOURS "
        "(e-mail and in-app). Safe to run as often as you like, e.g. hourly from cron: "
        "nobody is reminded twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=int,
            default=24,
            help="Remind about sessions starting within this many hours (default 24).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["hours"]
        if not 1 <= hours <= 24 * 14:
            raise CommandError("--hours must be from 1 to 336.")
        report = send_teaching_reminders(now=timezone.now(), within=timedelta(hours=hours))
        self.stdout.write(
            f"{report.reminded} reminded, {report.emailed} by e-mail, {report.failed} failed."
        )
        if report.failed:
            self.stderr.write("Some reminders failed; they are tried again on the next run.")
