"""factory_boy factories for teaching tests (and the access matrix's teaching objects).

``Factory.create(...)`` is typed (it returns the model), so the tests call that.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.utils import timezone
from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.helpers import post_generation

from smertespor.accounts.models import User
from smertespor.teaching.models import Registration, SessionTopic, TeachingSession
from smertespor.teaching.topics import Topic
from tests.factories import ClinicFactory


def _tag_topics(
    session: TeachingSession, create: bool, extracted: list[str] | None, **kwargs: object
) -> None:
    if create:
        for topic in extracted or [Topic.TAPER_STRATEGY]:
            SessionTopic.objects.create(session=session, topic=topic)


class TeachingSessionFactory(DjangoModelFactory[TeachingSession]):
    class Meta:
        model = TeachingSession
        skip_postgeneration_save = True

    organiser = SubFactory(ClinicFactory)
    title = Sequence(lambda n: f"Nedtrapning i praksis {n}")
    description = "Sådan lægger du en nedtrapningsplan."
    for_gps = True
    for_practice_nurses = True
    # 15:00 local time two weeks ahead: a session starting late in the evening would end after
    # midnight, which the form (one date, a start and an end time) cannot express, so tests
    # that edit it failed when run after 22:30.
    starts_at = LazyFunction(
        lambda: timezone.localtime(timezone.now() + timedelta(days=14)).replace(
            hour=15, minute=0, second=0, microsecond=0
        )
    )
    duration_minutes = 90
    location = "Smerteklinikken, mødelokale 2"
    capacity = 20
    topics = post_generation(_tag_topics)


class RegistrationFactory(DjangoModelFactory[Registration]):
    class Meta:
        model = Registration

    session = SubFactory(TeachingSessionFactory)
    participant = SubFactory("tests.factories.UserFactory")
    organisation = LazyAttribute(lambda r: r.participant.organisation)
    status = Registration.Status.REGISTERED
    queued_at = LazyFunction(timezone.now)


def past_session_with_attendance(
    *,
    organiser: Any,
    attendees: Iterable[User],
    minutes: int = 90,
    days_ago: int = 7,
    **fields: Any,
) -> TeachingSession:
    """A session that took place, with ``attendees`` registered and marked present."""
    session = TeachingSessionFactory.create(
        organiser=organiser,
        starts_at=timezone.now() - timedelta(days=days_ago),
        duration_minutes=minutes,
        **fields,
    )
    for user in attendees:
        RegistrationFactory.create(
            session=session, participant=user, attended=True, attendance_marked_at=timezone.now()
        )
    return session
