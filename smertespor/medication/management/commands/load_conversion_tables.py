from typing import Any

from django.core.management.base import BaseCommand, CommandError

from smertespor.medication.table_services import BuiltinTableChanged, install_builtin_tables


class Command(BaseCommand):
    help = "Store the conversion tables shipped in domain/data/conversion (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            added = install_builtin_tables()
        except BuiltinTableChanged as error:
            raise CommandError(str(error)) from None
        if added:
            self.stdout.write("Added: " + ", ".join(added))
        else:
            self.stdout.write("The shipped conversion tables are already stored.")
