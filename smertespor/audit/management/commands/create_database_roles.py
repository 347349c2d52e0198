from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from smertespor.audit.roles import create_roles


class Command(BaseCommand):
    help = (
        "PostgreSQL: create the owner role (runs migrations, owns the tables) and the app role "
        "(may only INSERT and SELECT on the audit tables). Run once as a superuser; safe to "
        "run again. Set passwords afterwards (ALTER ROLE ... PASSWORD)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", default="smertespor_owner")
        parser.add_argument("--app", default="smertespor_app")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL; SQLite has none.")
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                done = create_roles(cursor, owner=options["owner"], app=options["app"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        for line in done:
            self.stdout.write(line)
