import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from smertespor.audit.sealing import seal_pending


class Command(BaseCommand):
    help = (
        "Extend the audit log's hash chain over the rows written since the last seal. With "
        "--loop SECONDS it runs as the background worker, sealing every SECONDS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=float, default=None, metavar="SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["loop"]
        while True:
            seals = seal_pending()
            rows = sum(seal.row_count for seal in seals)
            if seals or interval is None:
                last = f" up to row #{seals[-1].last_sequence}" if seals else ""
                self.stdout.write(f"Sealed {rows} row(s) in {len(seals)} seal(s){last}.")
            if interval is None:
                return
            close_old_connections()
            time.sleep(max(interval, 0.1))
