"""The demo region's teaching programme: there, complete, and loaded only once."""

from django.core.management import call_command
from django.utils import timezone

from smertespor.teaching.models import Feedback, Registration, TeachingSession


def test_the_demo_region_has_a_teaching_programme_and_loads_it_once(db):
    call_command("load_demo_region")
    counts = (TeachingSession.objects.count(), Registration.objects.count())
    call_command("load_demo_region")
    assert (TeachingSession.objects.count(), Registration.objects.count()) == counts
    now = timezone.now()
    series = TeachingSession.objects.filter(series__isnull=False, starts_at__gt=now)
    assert series.count() == 6
    assert series.values("series").distinct().count() == 1
    past = TeachingSession.objects.filter(starts_at__lt=now)
    assert past.count() >= 3
    assert Registration.objects.filter(session__in=past, attended=True).count() >= 5
    assert Feedback.objects.exists()
    assert Registration.objects.filter(status=Registration.Status.WAITING).exists()
