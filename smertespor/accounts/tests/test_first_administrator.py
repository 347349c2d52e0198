"""`manage.py create_first_administrator`: the first administrator, never a superuser, and
only while there is none."""

import pytest
from django.core.management import CommandError, call_command

from smertespor.accounts.models import Role, User

PASSWORD = "Et-langt-og-godt-kodeord-2026"


def test_the_first_administrator_is_created_without_superuser_powers(db, monkeypatch):
    monkeypatch.setenv("SMERTESPOR_ADMIN_PASSWORD", PASSWORD)
    call_command(
        "create_first_administrator",
        "--username=it-admin",
        "--organisation=Regionshuset",
        "--sor-code=900000000000999",
        "--region-code=1082",
        "--region-name=Region Midtjylland",
    )
    admin = User.objects.get(username="it-admin")
    assert admin.role == Role.ADMIN
    assert admin.is_staff
    assert not admin.is_superuser
    assert admin.check_password(PASSWORD)


def test_it_refuses_when_an_administrator_exists(admin_user, monkeypatch):
    monkeypatch.setenv("SMERTESPOR_ADMIN_PASSWORD", PASSWORD)
    with pytest.raises(CommandError):
        call_command(
            "create_first_administrator",
            "--username=another",
            f"--organisation={admin_user.organisation.name}",
        )
    assert not User.objects.filter(username="another").exists()


def test_it_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("SMERTESPOR_ADMIN_PASSWORD", "kort")
    with pytest.raises(CommandError):
        call_command(
            "create_first_administrator",
            "--username=it-admin",
            "--organisation=Regionshuset",
            "--sor-code=900000000000999",
            "--region-code=1082",
        )
    assert not User.objects.exists()
