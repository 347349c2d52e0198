import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from smertespor.demo_region import DEMO_PASSWORD
from smertespor.web.region_generator import RegionError, make_region


class Command(BaseCommand):
    help = (
        "Make a region's worth of fictitious data, the same for the same seed (for benchmarks "
        "and load tests; refuses a database that has patients unless --add)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=32_000)
        parser.add_argument("--practices", type=int, default=400)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--add",
            action="store_true",
            help="Add the patients (with medication and courses) to a database that has some.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            report = make_region(
                patients=options["patients"],
                practices=options["practices"],
                seed=options["seed"],
                add=options["add"],
            )
        except RegionError as error:
            raise CommandError(str(error)) from error
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        self.stdout.write(
            f"Region made on {connection.vendor} in {took:.1f} s (this process's CPU time "
            f"{cpu:.1f} s; load average {load}; seed {options['seed']}):"
        )
        for name, count in report.counts.items():
            seconds = report.seconds.get(name)
            timing = f"  ({seconds:.1f} s)" if seconds is not None else ""
            self.stdout.write(f"  {name.replace('_', ' '):<24} {count:>8,}{timing}")
        self.stdout.write("")
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for login in report.logins:
            self.stdout.write(f"  {login.username:<26} {login.role:<22} {login.organisation}")
