"""The navigation: "I dag" comes first for every role, and is current only on itself."""

import pytest

from smertespor.web.context_processors import _is_active
from smertespor.web.navigation import nav_items_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona", ["gp", "practice_nurse", "clinic_nurse", "hospital_doctor", "planner", "admin_user"]
)
def test_today_comes_first_for_every_role(persona, request):
    items = nav_items_for(request.getfixturevalue(persona))
    assert items[0].url_name == "home"
    assert str(items[0].label) == "I dag"


def test_today_is_current_on_the_front_page_only():
    assert _is_active("/", "/")
    assert not _is_active("/patients/", "/")
    assert _is_active("/patients/12/", "/patients/")
