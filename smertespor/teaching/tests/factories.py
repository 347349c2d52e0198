"""factory_boy factories for teaching tests (and the access matrix's teaching objects)."""

from datetime import timedelta

import factory
from django.utils import timezone

from smertespor.teaching.models import Registration, SessionTopic, TeachingSession
from smertespor.teaching.topics import Topic
from tests.factories import ClinicFactory


class TeachingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingSession
        skip_postgeneration_save = True

    organiser = factory.SubFactory(ClinicFactory)
    title = factory.Sequence(lambda n: f"Nedtrapning i praksis {n}")
    description = "Sådan lægger du en nedtrapningsplan."
    for_gps = True
    for_practice_nurses = True
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    duration_minutes = 90
    location = "Smerteklinikken, mødelokale 2"
    capacity = 20

    @factory.post_generation
    def topics(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            for topic in extracted or [Topic.TAPER_STRATEGY]:
                SessionTopic.objects.create(session=self, topic=topic)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(TeachingSessionFactory)
    participant = factory.SubFactory("tests.factories.UserFactory")
    organisation = factory.LazyAttribute(lambda r: r.participant.organisation)
    status = Registration.Status.REGISTERED
    queued_at = factory.LazyFunction(timezone.now)


def past_session_with_attendance(*, organiser, attendees, minutes=90, days_ago=7, **kwargs):
    """A session that took place, with ``attendees`` registered and marked present."""
    session = TeachingSessionFactory(
        organiser=organiser,
        starts_at=timezone.now() - timedelta(days=days_ago),
        duration_minutes=minutes,
        **kwargs,
    )
    for user in attendees:
        RegistrationFactory(
            session=session, participant=user, attended=True, attendance_marked_at=timezone.now()
        )
    return session
