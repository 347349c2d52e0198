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
