"""Write a synthetic region's dispensing extract as Parquet (domain.dispensing_synthetic).

manage.py make_dispensing_data --people 1300000 --years 1 --seed 1 --out region.parquet
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from domain.dispensing_synthetic import write_dispensings
from smertespor.evaluation.screening_matching import pseudonym_key


class Command(BaseCommand):
    help = "Write a synthetic dispensing extract (Parquet), deterministic by seed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=1_300_000)
        parser.add_argument("--years", type=int, default=1)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        people, years = options["people"], options["years"]
        if not 1 <= people <= 20_000_000 or not 1 <= years <= 10:
            raise CommandError("--people must be 1 to 20,000,000 and --years 1 to 10.")
        out: Path = options["out"]
        if out.suffix != ".parquet":
            raise CommandError("--out must end in .parquet")
        started = time.perf_counter()
        rows = write_dispensings(
            str(out), people=people, years=years, seed=options["seed"], key=pseudonym_key()
        )
        self.stdout.write(
            f"{rows:,} rows for {people:,} people in {time.perf_counter() - started:.1f} s -> {out}"
        )
