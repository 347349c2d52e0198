"""The patient's pathway panel shows the active enrolment, else the newest ended one."""

from datetime import timedelta

import pytest

from smertespor.pathways.models import Enrolment
from smertespor.pathways.selectors import latest_enrolment
from smertespor.pathways.tests.factories import enrolled

pytestmark = pytest.mark.django_db


def _end(enrolment: Enrolment) -> None:
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.ENDED)


def test_the_active_enrolment_comes_first_then_the_newest(patient, gp, django_assert_num_queries):
    assert latest_enrolment(patient) is None
    first = enrolled(patient, gp)
    _end(first)
    assert latest_enrolment(patient) == first  # only an ended one
    second = enrolled(patient, gp)
    # The active one wins even when it is the older of the two.
    Enrolment.objects.filter(pk=second.pk).update(enrolled_at=first.enrolled_at - timedelta(days=1))
    with django_assert_num_queries(1):
        found = latest_enrolment(patient)
    assert found == second
    assert found is not None and found.pathway is not None  # its version came with it
    _end(second)
    assert latest_enrolment(patient) == first  # both ended: the newest
