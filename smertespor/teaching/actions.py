"""Teaching's operations: each is who may do it, then the service that does it.

The pages (``views.py``, ``organiser_views.py``), the API (``api.py``) and any command call
these, never the services directly, so every door refuses the same people (403, with the
attempt in the audit log) and answers the same unknown ids (404).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from smertespor.accounts.models import Organisation, Requester
from smertespor.entry.rules import logged_in, require
from smertespor.teaching import material_services, services
from smertespor.teaching.models import (
    Feedback,
    Invitation,
    Registration,
    SessionMaterial,
    TeachingSession,
)
from smertespor.teaching.permissions import can_organise_teaching, can_take_part_in_teaching
from smertespor.teaching.selectors import (
    managed_session_for,
    material_of,
    session_for,
)
from smertespor.versions import ExpectedVersion

SESSION = "teaching_session"


# --- sessions ------------------------------------------------------------------------------


def plan_teaching_sessions(*, user: Requester, **details: Any) -> list[TeachingSession]:
    """One session, or a series (``repeat``, ``occurrences``): the clinic's staff only.
    ``details`` are `services.create_teaching_sessions`'s arguments."""
    require(user, can_organise_teaching, object_type=SESSION)
    return services.create_teaching_sessions(by=logged_in(user), **details)


def change_teaching_session(
    *, user: Requester, session_id: int, expected_version: ExpectedVersion, **changes: Any
) -> TeachingSession:
    """Change a session the user's clinic organises or they teach (the version they read)."""
    session = managed_session_for(user, session_id)
    return services.update_teaching_session(
        by=logged_in(user), session=session, expected_version=expected_version, **changes
    )


def invite_practices(
    *, user: Requester, session_id: int, practices: Collection[Organisation]
) -> list[Invitation]:
    """Invite general practices to a session; their staff get a notification."""
    session = managed_session_for(user, session_id)
    return services.invite_practices(by=logged_in(user), session=session, practices=practices)


# --- taking part ---------------------------------------------------------------------------


def sign_up_for_session(*, user: Requester, session_id: int) -> Registration:
    """A place, or a place on the waiting list: general-practice staff only."""
    require(user, can_take_part_in_teaching, object_type=SESSION, object_id=str(session_id))
    session = session_for(user, session_id)
    return services.register_for_session(by=logged_in(user), session=session)


def cancel_registration(*, user: Requester, session_id: int) -> Registration:
    require(user, can_take_part_in_teaching, object_type=SESSION, object_id=str(session_id))
    session = session_for(user, session_id)
    return services.cancel_registration(by=logged_in(user), session=session)


def give_feedback(*, user: Requester, session_id: int, rating: int, comment: str = "") -> Feedback:
    require(user, can_take_part_in_teaching, object_type=SESSION, object_id=str(session_id))
    session = session_for(user, session_id)
    return services.give_feedback(
        by=logged_in(user), session=session, rating=rating, comment=comment
    )


def mark_attendance(
    *, user: Requester, session_id: int, attendance: Mapping[int, bool]
) -> list[Registration]:
    """Who came (True) and who did not (False), by registration id."""
    session = managed_session_for(user, session_id)
    return services.mark_attendance(by=logged_in(user), session=session, attendance=attendance)


# --- materials -----------------------------------------------------------------------------


def add_material_link(*, user: Requester, session_id: int, title: str, url: str) -> SessionMaterial:
    session = managed_session_for(user, session_id)
    return material_services.add_material_link(
        by=logged_in(user), session=session, title=title, url=url
    )


def add_material_file(
    *, user: Requester, session_id: int, title: str, upload: UploadedFile
) -> SessionMaterial:
    """A PDF, PNG or JPEG, judged by its content (``smertespor/documents.py``)."""
    session = managed_session_for(user, session_id)
    return material_services.add_material_file(
        by=logged_in(user), session=session, title=title, upload=upload
    )


def remove_material(*, user: Requester, material_id: int) -> TeachingSession:
    """Remove a material; returns its session (for the page to go back to)."""
    material = material_of(material_id)
    session = managed_session_for(user, material.session_id)
    material_services.remove_material(material=material)
    return session
