from typing import Any

from django.core.management.base import BaseCommand, CommandError

from smertespor.audit.chain import audit_chain_problems
from smertespor.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exit non-zero if a row was altered or removed."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(audit_chain_problems())
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"The audit log has {len(problems)} problem(s).")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {count} rows verified."))
