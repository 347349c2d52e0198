"""The demo region's advice service: answered, open, overdue, telephone, and an article."""

import pytest
from django.core.management import call_command

from smertespor.advice.models import AdviceRequest, Article, Channel, Status
from smertespor.advice.selectors import advice_counts

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_working_advice_service_and_loads_once(capsys):
    call_command("load_demo_region")
    count = AdviceRequest.objects.count()
    call_command("load_demo_region")

    # Five from general practice, one from the spine centre (departments.demo).
    assert AdviceRequest.objects.count() == count == 6
    assert AdviceRequest.objects.filter(practice__kind="hospital_department").count() == 1
    statuses = set(AdviceRequest.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.ANSWERED, Status.ASSIGNED, Status.NEW} <= statuses
    assert AdviceRequest.objects.filter(channel=Channel.TELEPHONE).exists()
    assert AdviceRequest.objects.filter(patient__isnull=False).exists()
    figures = advice_counts()
    assert figures.overdue == 1
    assert figures.median_response_working_days is not None
    assert figures.advice_sufficient == 1
    article = Article.objects.get()
    assert article.is_published
    assert article.approved_by != article.submitted_by
