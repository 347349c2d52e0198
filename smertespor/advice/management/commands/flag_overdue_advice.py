"""Notify the clinic of advice requests whose reply is overdue. Safe to run as often as you
like (e.g. hourly from cron): each request is flagged once per due date."""

from typing import Any

from django.core.management.base import BaseCommand

from smertespor.advice.services import flag_overdue_requests


class Command(BaseCommand):
    help = "Notify the pain clinic of overdue advice requests (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        flagged = flag_overdue_requests()
        self.stdout.write(f"Flagged {flagged} overdue advice request(s).")
