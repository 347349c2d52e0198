"""The demo computes twelve months of measures, so `make run` shows charts at once."""

import pytest

from smertespor.evaluation.measures_demo import DEMO_MONTHS, load_demo_measures
from smertespor.evaluation.measures_models import MeasureFigure
from smertespor.evaluation.tests.measures_region import build_region

pytestmark = pytest.mark.django_db


def test_the_demo_computes_twelve_months_and_again_the_same(practice, other_practice, clinic):
    build_region(practice, other_practice, clinic)
    assert load_demo_measures() == DEMO_MONTHS
    months = MeasureFigure.objects.filter(level="region").values("month").distinct().count()
    assert months == DEMO_MONTHS
    count = MeasureFigure.objects.count()
    load_demo_measures()
    assert MeasureFigure.objects.count() == count
