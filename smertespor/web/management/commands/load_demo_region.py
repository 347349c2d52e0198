from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from smertespor.demo_region import DEMO_PASSWORD, DEMO_USERS, load_demo_region


class Command(BaseCommand):
    help = "Load the fictitious demo region (idempotent) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_demo_region()
        added = ", ".join(
            f"{count} {name.removesuffix('_created').replace('_', ' ')}"
            for name, count in created.items()
        )
        self.stdout.write(f"Demo region ready (added this time: {added}).")
        self.stdout.write("")
        self.stdout.write("Demo logins (password for all: " + DEMO_PASSWORD + "):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<26} {demo.role:<16} {demo.organisation}")
        self.stdout.write("")
        # `make run` sets SITE_URL to the address it serves (its PORT, 8000 by default).
        self.stdout.write(f"Open {settings.SITE_URL.rstrip('/')}/ and log in.")
