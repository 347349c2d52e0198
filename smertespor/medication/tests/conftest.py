import pytest
from django.urls import reverse

from smertespor.medication.models import ConversionTableVersion


@pytest.fixture
def builtin_table(db):
    """The shipped tables are installed by a data migration; fetch one by id."""

    def get(table_id: str) -> ConversionTableVersion:
        return ConversionTableVersion.objects.get(table_id=table_id, origin="builtin")

    return get


@pytest.fixture
def medication_url():
    def url(name: str, *args: object) -> str:
        return reverse(f"medication:{name}", args=args)

    return url


@pytest.fixture
def other_admin(region_office):
    """A second administrator: the one who signs off what ``admin_user`` drafted."""
    from smertespor.accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(
        username="admin-2", role=Role.ADMIN, organisation=region_office, is_staff=True
    )


@pytest.fixture
def table_signer(clinic_doctor):
    """A clinic doctor the region has given the sign-off permission."""
    from django.contrib.auth.models import Permission

    clinic_doctor.user_permissions.add(
        Permission.objects.get(
            codename="sign_off_conversion_table", content_type__app_label="medication"
        )
    )
    # A fresh object: Django caches a user's permissions on the instance.
    return type(clinic_doctor).objects.get(pk=clinic_doctor.pk)
