from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smertespor.audit.anchors import write_anchor
from smertespor.audit.sealing import seal_pending


class Command(BaseCommand):
    help = (
        "Seal the audit log, then append the head of its seal chain, signed, to the anchor "
        "file (AUDIT_ANCHOR_FILE; in production on another host or a write-once store)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--anchor-file", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["anchor_file"] or settings.AUDIT_ANCHOR_FILE
        if not path:
            raise CommandError("Set AUDIT_ANCHOR_FILE (or pass --anchor-file) to anchor.")
        seal_pending()
        line = write_anchor(path)
        if line is None:
            self.stdout.write("Nothing to anchor: the audit log has no seal yet.")
            return
        self.stdout.write(f"Anchored the seal up to row #{line['last_sequence']} in {path}.")
