from django.core.management import call_command

from smertespor.accounts.models import Organisation, Role, User
from smertespor.patients.models import Patient


def test_the_demo_region_loads_once_and_again_changes_nothing(db, capsys):
    call_command("load_demo_region")
    counts = (Organisation.objects.count(), User.objects.count(), Patient.objects.count())
    call_command("load_demo_region")
    assert (Organisation.objects.count(), User.objects.count(), Patient.objects.count()) == counts
    assert "demo-gp" in capsys.readouterr().out


def test_the_demo_region_has_what_the_foundation_promises(db):
    call_command("load_demo_region")
    practices = Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE)
    assert practices.count() >= 6
    assert Organisation.objects.filter(kind=Organisation.Kind.PAIN_CLINIC).exists()
    assert Organisation.objects.filter(kind=Organisation.Kind.PAIN_CENTRE).exists()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Patient.objects.count() >= 200
    assert all(practice.listed_patients.exists() for practice in practices)
    assert Patient.objects.filter(address__startswith="Demovej").count() == Patient.objects.count()


def test_the_demo_administrators_are_no_superusers_and_there_are_two(db):
    call_command("load_demo_region")
    admins = User.objects.filter(role=Role.ADMIN)
    assert admins.count() >= 2
    assert not User.objects.filter(is_superuser=True).exists()
    assert all(admin.is_staff for admin in admins)


def test_every_demo_account_logs_in_with_the_printed_password(db):
    from smertespor.demo_region import DEMO_PASSWORD, DEMO_USERS

    call_command("load_demo_region")
    for demo in DEMO_USERS:
        assert User.objects.get(username=demo.username).check_password(DEMO_PASSWORD)
    assert not User.objects.get(username=DEMO_USERS[0].username).check_password("not-it")
