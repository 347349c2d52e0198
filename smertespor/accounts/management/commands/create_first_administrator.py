"""Create the first administrator of a new installation (never a superuser).

Every later administrator is made through a role change request that a second administrator
approves; so this refuses once any administrator exists. The password comes from the
environment variable SMERTESPOR_ADMIN_PASSWORD or is asked for (twice), and is checked by
the password validators.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from smertespor.accounts.models import Organisation, Region, Role, User
from smertespor.audit.services import AuditAction, record_event

PASSWORD_VARIABLE = "SMERTESPOR_ADMIN_PASSWORD"  # noqa: S105 (a variable's name)


class Command(BaseCommand):
    help = "Create the first administrator (refused once an administrator exists)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--organisation",
            required=True,
            help="Name or SOR code of the regional administration; created if --sor-code "
            "and --region-code are given and it does not exist.",
        )
        parser.add_argument("--sor-code", default="")
        parser.add_argument("--region-code", default="")
        parser.add_argument("--region-name", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(role=Role.ADMIN).exists():
            raise CommandError(
                "An administrator already exists. Further administrators are proposed by one "
                "administrator and approved by another (Role change requests)."
            )
        username = options["username"].strip()
        if not username or User.objects.filter(username=username).exists():
            raise CommandError(f"The username {username!r} is empty or taken.")
        password = self._password(username, options)
        with transaction.atomic():
            organisation = self._organisation(options)
            user = User(
                username=username,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                role=Role.ADMIN,
                organisation=organisation,
                is_staff=True,
                is_superuser=False,
            )
            user.set_password(password)
            try:
                user.full_clean()
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            user.save()
            record_event(
                user=None,
                action=AuditAction.CREATE,
                object_type="first_administrator",
                object_id=str(user.pk),
                detail={
                    "whom": user.username,
                    "to": {"role": Role.ADMIN, "organisation_id": organisation.pk},
                },
            )
        self.stdout.write(f"Administrator {username} created in {organisation}.")

    def _password(self, username: str, options: dict[str, Any]) -> str:
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            if not self.stdin_is_interactive():
                raise CommandError(f"Set {PASSWORD_VARIABLE} or run the command in a terminal.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        probe = User(username=username, email=options["email"])
        try:
            validate_password(password, probe)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        return password

    @staticmethod
    def stdin_is_interactive() -> bool:
        import sys

        return sys.stdin.isatty()

    @staticmethod
    def _organisation(options: dict[str, Any]) -> Organisation:
        wanted = options["organisation"].strip()
        found = Organisation.objects.filter(name=wanted).first() or (
            Organisation.objects.filter(sor_code=wanted).first()
        )
        if found is None:
            if not (options["sor_code"] and options["region_code"]):
                raise CommandError(
                    f"No organisation {wanted!r}: give --sor-code and --region-code to create it."
                )
            region, _ = Region.objects.get_or_create(
                code=options["region_code"],
                defaults={"name": options["region_name"] or options["region_code"]},
            )
            found = Organisation(
                region=region,
                name=wanted,
                kind=Organisation.Kind.REGIONAL_ADMINISTRATION,
                sor_code=options["sor_code"],
            )
            try:
                found.full_clean()
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            found.save()
        if found.kind != Organisation.Kind.REGIONAL_ADMINISTRATION:
            raise CommandError(f"{found} is not a regional administration.")
        return found
