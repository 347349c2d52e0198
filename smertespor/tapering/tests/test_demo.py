import pytest

from smertespor.demo_region import load_demo_region
from smertespor.tapering.models import TaperPlan


@pytest.mark.django_db
def test_the_demo_region_has_an_active_a_draft_and_a_completed_plan_once():
    load_demo_region()
    assert sorted(TaperPlan.objects.values_list("status", flat=True)) == [
        "active",
        "completed",
        "draft",
    ]
    assert load_demo_region()["taper_plans_created"] == 0
    assert TaperPlan.objects.count() == 3
