"""Taking a clinician off a course team: the rules the clinic's course (tracks) and the pain
centre's course (centres) share. The member's row stays, marked removed, as the team's
history; removal is refused while they have booked appointments ahead in the course, and for
the last member of a course that needs a team.

Both checks run inside the transaction after locking the course row, so two members removed at
the same moment cannot leave an active course with nobody (on SQLite the transaction's write
lock, taken when it begins, does the same).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

REASON_MAX_LENGTH = 500


class TeamMemberRow(Protocol):
    """What both apps' TeamMember models have."""

    pk: Any
    user: Any
    user_id: Any
    course_id: Any
    removed_at: datetime | None
    removed_by: Any
    removal_reason: str


@dataclass(frozen=True)
class TeamRules:
    """One course's part of the rules."""

    course_model: type[models.Model]
    member_model: type[models.Model]
    booked_ahead: Callable[[Any], QuerySet[Any]]  # the member's booked appointments ahead
    needs_team: Callable[[Any], bool]  # the (locked) course may not be left without a team
    needs_team_message: str


def remove_from_team(
    member: TeamMemberRow,
    *,
    by: Any,
    reason: str,
    rules: TeamRules,
    record: Callable[[Any, str], None],
) -> TeamMemberRow:
    """Mark `member` removed by `by` with `reason`, or raise ValidationError (`member` or
    `reason`) and change nothing. `record(course, reason)` writes the course's own history
    and audit row in the same transaction."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [_("Keep the reason to 500 characters.")]})
    with transaction.atomic():
        course = rules.course_model._default_manager.select_for_update().get(pk=member.course_id)
        if member.removed_at is not None or not _still_on_team(rules, member):
            raise ValidationError(
                {"member": [_("%(user)s is already off the team.") % {"user": member.user}]}
            )
        ahead = rules.booked_ahead(member).filter(starts_at__gte=timezone.now()).count()
        if ahead:
            raise ValidationError(
                {
                    "member": [
                        _(
                            "%(user)s has %(count)s booked appointment(s) ahead in this course. "
                            "Cancel them first."
                        )
                        % {"user": member.user, "count": ahead}
                    ]
                }
            )
        others = rules.member_model._default_manager.filter(
            course_id=member.course_id, removed_at__isnull=True
        ).exclude(pk=member.pk)
        if rules.needs_team(course) and not others.exists():
            raise ValidationError({"member": [rules.needs_team_message]})
        now = timezone.now()
        rules.member_model._default_manager.filter(pk=member.pk).update(
            removed_at=now, removed_by=by, removal_reason=reason
        )
        member.removed_at, member.removed_by, member.removal_reason = now, by, reason
        record(course, reason)
    return member


def _still_on_team(rules: TeamRules, member: TeamMemberRow) -> bool:
    return rules.member_model._default_manager.filter(
        pk=member.pk, removed_at__isnull=True
    ).exists()
