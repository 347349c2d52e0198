"""No double booking when many people sign up and cancel at the same moment.

How this runs, and why not ``django_db(transaction=True)``: after such a test pytest-django
empties every table, with TRUNCATE on PostgreSQL and DELETE on SQLite, and the audit log's
append-only triggers refuse both (PostgreSQL's statement trigger refuses TRUNCATE even of an
empty table; narrowing the flush with ``available_apps`` makes it TRUNCATE ... CASCADE, which
reaches the audit table through its foreign key to users). Disabling the triggers for tests
would test a different database from production's.

So each test here is an ordinary test and does the concurrent work on *other* connections.
On PostgreSQL every worker is a real thread with its own connection (Django opens one per
thread) to the test database: the workers commit for real and contend for the session's row
lock, and the test deletes exactly the rows it committed when it ends. The services write no
audit rows for permitted actions, so nothing undeletable is left behind.

SQLite's in-memory test database is not shared between threads like that, and SQLite lets
one writer in at a time anyway; there the same scenarios run one after the other on the test
connection, which still checks the waiting-list rules and the unique constraint. The locking
itself is proven in the PostgreSQL run of CI.
"""

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from smertespor.accounts.models import Organisation, Region, Role, User
from smertespor.notifications.models import Notification
from smertespor.teaching.models import Registration, SessionTopic, TeachingSession
from smertespor.teaching.services import cancel_registration, register_for_session

pytestmark = pytest.mark.django_db

CONCURRENT = connection.vendor == "postgresql"
TIMEOUT_SECONDS = 60
REGION_CODE = "9917"  # none of the factories' or the demo region's codes
Status = Registration.Status


def _on_own_connection(work: Callable[[], Any]) -> Any:
    """Run ``work`` committed, outside the test's transaction (PostgreSQL), or inline."""
    if not CONCURRENT:
        return work()
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # re-raised in the test's thread
            outcome.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(TIMEOUT_SECONDS)
    assert not worker.is_alive(), "database work did not finish"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _all_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Each job's result or exception. On PostgreSQL the jobs start together, one thread and
    one connection each; on SQLite they run in turn."""
    if not CONCURRENT:
        results: list[Any] = []
        for job in jobs:
            try:
                results.append(job())
            except ValidationError as error:
                results.append(error)
        return results
    start = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            start.wait(TIMEOUT_SECONDS)
            results[index] = job()
        except Exception as error:  # collected: the test asserts on it
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a worker hung (deadlock?)"
    return results


class World:
    """A session and ``people`` GPs, committed on their own connection and removed after."""

    def __init__(self, *, capacity: int, people: int) -> None:
        self.capacity = capacity
        self.people = people

    def __enter__(self) -> "World":
        self.session_id, self.user_ids = _on_own_connection(self._create)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _on_own_connection(self._remove)

    def _create(self) -> tuple[int, list[int]]:
        region = Region.objects.create(name="Concurrency test region", code=REGION_CODE)
        clinic = Organisation.objects.create(
            region=region, name="Race clinic", kind="pain_clinic", sor_code="991700000000001"
        )
        users = []
        for n in range(self.people):
            practice = Organisation.objects.create(
                region=region,
                name=f"Race practice {n}",
                kind="gp_practice",
                sor_code=f"9917000000001{n:02d}",
                provider_number=f"99{n:04d}",
            )
            users.append(
                User.objects.create(username=f"race-gp-{n}", role=Role.GP, organisation=practice)
            )
        session = TeachingSession.objects.create(
            organiser=clinic,
            title="Race",
            for_gps=True,
            starts_at=timezone.now() + timedelta(days=3),
            duration_minutes=60,
            location="Silkeborg",
            capacity=self.capacity,
        )
        SessionTopic.objects.create(session=session, topic="taper_strategy")
        return session.pk, [user.pk for user in users]

    def _remove(self) -> None:
        Notification.objects.filter(recipient_id__in=self.user_ids).delete()
        Registration.objects.filter(session_id=self.session_id).delete()
        TeachingSession.objects.filter(pk=self.session_id).delete()
        User.objects.filter(pk__in=self.user_ids).delete()
        Organisation.objects.filter(region__code=REGION_CODE).delete()
        Region.objects.filter(code=REGION_CODE).delete()

    def sign_up(self, index: int) -> Callable[[], Any]:
        return lambda: (
            register_for_session(
                by=User.objects.select_related("organisation").get(pk=self.user_ids[index]),
                session=TeachingSession.objects.get(pk=self.session_id),
            ).status
        )

    def cancel(self, index: int) -> Callable[[], Any]:
        return lambda: (
            cancel_registration(
                by=User.objects.select_related("organisation").get(pk=self.user_ids[index]),
                session=TeachingSession.objects.get(pk=self.session_id),
            ).status
        )

    def in_turn(self, jobs: list[Callable[[], Any]]) -> None:
        for job in jobs:
            _on_own_connection(job)

    def state(self) -> dict[str, list[int]]:
        """Participants (by index) per status, waiting list in queue order."""

        def read() -> dict[str, list[int]]:
            rows = Registration.objects.filter(session_id=self.session_id).order_by(
                "queued_at", "pk"
            )
            by_status: dict[str, list[int]] = {s: [] for s in Status.values}
            for row in rows:
                by_status[row.status].append(self.user_ids.index(row.participant_id))
            return by_status

        return _on_own_connection(read)

    def place_offers(self) -> int:
        return _on_own_connection(
            lambda: Notification.objects.filter(
                recipient_id__in=self.user_ids, kind="teaching_place_offered"
            ).count()
        )


def test_ten_people_signing_up_at_once_for_three_places_never_overfill_the_session():
    with World(capacity=3, people=10) as world:
        results = _all_at_once([world.sign_up(n) for n in range(10)])
        state = world.state()
    assert sorted(map(str, results)) == ["registered"] * 3 + ["waiting"] * 7
    assert len(state["registered"]) == 3
    assert len(state["waiting"]) == 7


def test_concurrent_cancellations_move_the_waiting_list_up_once_per_freed_place():
    # Places: 0, 1, 2. Waiting list: 3, 4, 5, 6, 7.
    with World(capacity=3, people=8) as world:
        world.in_turn([world.sign_up(n) for n in range(8)])
        # Two with a place and one on the waiting list cancel at the same moment.
        results = _all_at_once([world.cancel(0), world.cancel(1), world.cancel(4)])
        state = world.state()
        offers = world.place_offers()
    assert [str(r) for r in results] == ["cancelled"] * 3
    # Whatever the order: the first two still waiting (3 and 5) get the freed places.
    assert sorted(state["registered"]) == [2, 3, 5]
    assert state["waiting"] == [6, 7]
    assert sorted(state["cancelled"]) == [0, 1, 4]
    # 2 offers, or 3 if 4 moved up before their own cancellation went through.
    assert offers in (2, 3)


def test_a_cancellation_and_a_new_sign_up_at_once_give_the_place_to_the_queue():
    # Place: 0. Waiting: 1. Then 0 cancels while 2 signs up.
    with World(capacity=1, people=3) as world:
        world.in_turn([world.sign_up(0), world.sign_up(1)])
        _all_at_once([world.cancel(0), world.sign_up(2)])
        state = world.state()
    assert state["registered"] == [1]
    assert state["waiting"] == [2]


def test_one_person_signing_up_five_times_at_once_gets_one_registration():
    with World(capacity=5, people=1) as world:
        results = _all_at_once([world.sign_up(0) for _ in range(5)])
        state = world.state()
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert [str(r) for r in results if not isinstance(r, Exception)] == ["registered"]
    assert len(refused) == 4
    assert {r.code for r in refused} == {"already_registered"}
    assert state["registered"] == [0]
