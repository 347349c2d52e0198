from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smertespor.audit.verify import verify_audit_log


class Command(BaseCommand):
    help = (
        "Check every audit row's MAC, every seal against its rows, the seal chain and every "
        "anchor; exit non-zero if anything was altered, removed, inserted or cut back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor-file",
            default=None,
            help="The anchors to check (default: the AUDIT_ANCHOR_FILE setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor_file = options["anchor_file"]
        report = verify_audit_log(
            settings.AUDIT_ANCHOR_FILE if anchor_file is None else anchor_file
        )
        for note in report.notes:
            self.stdout.write(note)
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"The audit log has {len(report.problems)} problem(s).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {report.rows} rows, {report.seals} seals and "
                f"{report.anchors} anchors verified."
            )
        )
